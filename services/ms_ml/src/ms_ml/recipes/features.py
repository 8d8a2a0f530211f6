"""What the reranker knows of a query and one of its candidate passages: numbers computed from
the two texts (and the candidate's place in the first-stage ranking), never from a corpus, so a
served model computes exactly what it was trained on from a Predict call's inputs.

Lexical features are relative to the candidate list of one query (BM25's document frequencies
come from that list): a reranker always scores the candidates of one query together.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import numpy.typing as npt

from .lexical import Bm25
from .text import identifiers, terms

Matrix = npt.NDArray[np.float64]
Vectors = npt.NDArray[np.float32]

FEATURES: tuple[str, ...] = (
    "dense",  # cosine of the query's and the passage's WordLlama embeddings
    "dense_heading",  # ... of the query's and the passage's title and heading path
    "lexical",  # BM25 over the candidates, divided by the best candidate's
    "coverage",  # share of the query's distinct terms in the passage
    "heading_coverage",  # ... in its title and heading path
    "bigram",  # share of the query's adjacent term pairs adjacent in the passage
    "identifier",  # the query names an identifier the passage holds verbatim
    "reciprocal_rank",  # 1 / the first-stage rank
    "position",  # log(1 + start offset / 1000): how far into its document
    "length",  # log(characters)
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A passage as a reranker sees it."""

    title: str
    headings: str
    text: str
    rank: int = 1  # 1-based, in the first stage's order
    start: int = 0  # character offset in its document

    def heading_text(self) -> str:
        return f"{self.title}\n{self.headings}"

    def full_text(self) -> str:
        return f"{self.title}\n{self.headings}\n{self.text}"


def _bigrams(words: Sequence[str]) -> set[tuple[str, str]]:
    return set(pairwise(words))


def feature_matrix(
    query: str,
    query_vector: Vectors,
    candidates: Sequence[Candidate],
    passage_vectors: Vectors,
    heading_vectors: Vectors,
) -> Matrix:
    """One row per candidate, one column per name of FEATURES. `query_vector` is the query's
    L2-normalised embedding, `passage_vectors` and `heading_vectors` those of each candidate's
    `full_text()` and `heading_text()`."""
    rows = np.zeros((len(candidates), len(FEATURES)), dtype=np.float64)
    if not candidates:
        return rows
    query_terms = terms(query)
    wanted = set(query_terms)
    pairs = _bigrams(query_terms)
    named = identifiers(query)
    passage_terms = [terms(candidate.full_text()) for candidate in candidates]
    lexical = np.array(Bm25(passage_terms).scores(query_terms))
    best = float(lexical.max())
    rows[:, 0] = passage_vectors @ query_vector
    rows[:, 1] = heading_vectors @ query_vector
    rows[:, 2] = lexical / best if best > 0 else 0.0
    for row, (candidate, words) in enumerate(zip(candidates, passage_terms, strict=True)):
        present = set(words)
        heading = set(terms(candidate.heading_text()))
        rows[row, 3] = len(wanted & present) / len(wanted) if wanted else 0.0
        rows[row, 4] = len(wanted & heading) / len(wanted) if wanted else 0.0
        rows[row, 5] = len(pairs & _bigrams(words)) / len(pairs) if pairs else 0.0
        lowered = candidate.full_text().lower()
        rows[row, 6] = 1.0 if any(name in lowered for name in named) else 0.0
        rows[row, 7] = 1.0 / max(candidate.rank, 1)
        rows[row, 8] = math.log1p(max(candidate.start, 0) / 1000)
        rows[row, 9] = math.log1p(len(candidate.text))
    return rows
