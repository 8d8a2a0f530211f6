"""Reciprocal rank fusion: one ranking from the dense and the lexical ones.

A chunk scores 1 / (k + rank) in each ranking it appears in (ranks from 1), summed; k damps
the weight of the very first places so that agreement between the two retrievers counts for
more than a single first place. Only ranks count, never the retrievers' raw scores, which are
not comparable (cosine against BM25).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .ports import Hit

# The usual constant of reciprocal rank fusion (Cormack et al., 2009).
RRF_K = 60


@dataclass(frozen=True, slots=True)
class RankedHit:
    """A chunk in a search's final ranking: its score (0..1, higher is better) and its rank
    among the dense and the lexical hits (1 = best, 0 = not among them)."""

    id: int
    score: float
    dense_rank: int = 0
    lexical_rank: int = 0


def fuse(dense: Sequence[Hit], lexical: Sequence[Hit], *, k: int = RRF_K) -> list[RankedHit]:
    """Every chunk of either ranking, best first; the score is the fused value relative to the
    best possible one (first in both rankings), so 1.0 only for a chunk both rank first. Ties
    go to the chunk with the better single rank, then to the lower id."""
    if k < 0:
        raise ValueError("k must not be negative")
    dense_ranks = _ranks(dense)
    lexical_ranks = _ranks(lexical)
    best_possible = 2.0 / (k + 1)
    fused: list[tuple[float, int, int, int, int]] = []
    for id in dense_ranks.keys() | lexical_ranks.keys():
        dense_rank = dense_ranks.get(id, 0)
        lexical_rank = lexical_ranks.get(id, 0)
        value = _reciprocal(dense_rank, k) + _reciprocal(lexical_rank, k)
        best_rank = min(rank for rank in (dense_rank, lexical_rank) if rank > 0)
        fused.append((-value, best_rank, id, dense_rank, lexical_rank))
    fused.sort()
    return [
        RankedHit(id, min(-negative / best_possible, 1.0), dense_rank, lexical_rank)
        for negative, _, id, dense_rank, lexical_rank in fused
    ]


def _ranks(hits: Sequence[Hit]) -> dict[int, int]:
    """Each id's rank from 1; an id listed twice keeps its first (better) place."""
    ranks: dict[int, int] = {}
    for position, hit in enumerate(hits, start=1):
        ranks.setdefault(hit.id, position)
    return ranks


def _reciprocal(rank: int, k: int) -> float:
    return 1.0 / (k + rank) if rank > 0 else 0.0
