"""BM25 over a list of texts, with its document frequencies taken from that list."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

K1 = 1.2
B = 0.75


class Bm25:
    """BM25 scores of queries against a fixed list of term lists."""

    def __init__(self, texts: Sequence[Sequence[str]]) -> None:
        self._counts = [Counter(text) for text in texts]
        self._lengths = [len(text) for text in texts]
        self._average = (sum(self._lengths) / len(texts) if texts else 0.0) or 1.0
        frequencies: Counter[str] = Counter()
        for counts in self._counts:
            frequencies.update(counts.keys())
        total = len(texts)
        self._idf = {
            term: math.log(1 + (total - df + 0.5) / (df + 0.5)) for term, df in frequencies.items()
        }

    def scores(self, query: Sequence[str]) -> list[float]:
        wanted = [term for term in dict.fromkeys(query) if term in self._idf]
        scores = []
        for counts, length in zip(self._counts, self._lengths, strict=True):
            norm = K1 * (1 - B + B * length / self._average)
            score = 0.0
            for term in wanted:
                tf = counts.get(term, 0)
                if tf:
                    score += self._idf[term] * tf * (K1 + 1) / (tf + norm)
            scores.append(score)
        return scores
