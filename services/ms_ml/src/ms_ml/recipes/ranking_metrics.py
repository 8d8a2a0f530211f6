"""Ranking quality with binary relevance: MRR@k and nDCG@k of one ranked list, averaged by the
caller over questions."""

from __future__ import annotations

import math
from collections.abc import Sequence


def reciprocal_rank(relevant: Sequence[bool], k: int = 10) -> float:
    """1 / the rank of the first relevant item among the first `k`; 0 when none is."""
    for rank, yes in enumerate(relevant[:k], 1):
        if yes:
            return 1.0 / rank
    return 0.0


def ndcg(relevant: Sequence[bool], k: int = 10, *, total_relevant: int | None = None) -> float:
    """DCG of the first `k` over the ideal DCG of `total_relevant` relevant items (by default
    those in the list); 0 when there is none."""
    gain = sum(1.0 / math.log2(rank + 1) for rank, yes in enumerate(relevant[:k], 1) if yes)
    count = sum(relevant) if total_relevant is None else total_relevant
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(count, k) + 1))
    return gain / ideal if ideal > 0 else 0.0
