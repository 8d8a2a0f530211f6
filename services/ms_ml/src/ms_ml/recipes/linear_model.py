"""A linear reranker: standardised features, one weight each, trained as a pairwise logistic
regression (RankNet with a linear scorer) in NumPy; saved as the `linear-reranker-json` format.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from .features import FEATURES, Candidate, Matrix, Vectors, feature_matrix
from .passages import split_passage_text

FORMAT = "linear-reranker-json"
FORMAT_VERSION = 1


class Embedder(Protocol):
    def embed(self, texts: Sequence[str]) -> Vectors: ...


class ModelFileError(ValueError):
    """A file that is not a linear reranker of a version this code reads."""


@dataclass(frozen=True, slots=True)
class LinearReranker:
    """Scores = standardised features · weights; higher is more relevant."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]

    def scores(self, rows: Matrix) -> Matrix:
        mean = np.asarray(self.mean)
        scale = np.asarray(self.scale)
        scored: Matrix = ((rows - mean) / scale) @ np.asarray(self.weights)
        return scored

    def rank(self, query: str, candidates: Sequence[Candidate], embedder: Embedder) -> list[float]:
        """The score of each candidate for `query`, in their order."""
        if not candidates:
            return []
        vectors = embedder.embed(
            [query]
            + [candidate.full_text() for candidate in candidates]
            + [candidate.heading_text() for candidate in candidates]
        )
        count = len(candidates)
        rows = feature_matrix(
            query, vectors[0], candidates, vectors[1 : count + 1], vectors[count + 1 :]
        )
        return [float(score) for score in self.scores(rows)]

    def predict(
        self,
        query: str,
        text_pairs: Sequence[str],
        extra: Sequence[Sequence[float]],
        embedder: Embedder,
    ) -> list[float]:
        """What a Predict call's inputs get: `query` (their shared `text`), each passage as
        `title\\nheading path\\ntext` (`text_pair`) and its optional `features`
        [first-stage rank, start offset]; a missing rank is the input's place in the list."""
        candidates = []
        for place, (pair, numbers) in enumerate(zip(text_pairs, extra, strict=True), 1):
            title, headings, text = split_passage_text(pair)
            rank = int(numbers[0]) if len(numbers) > 0 and math.isfinite(numbers[0]) else place
            start = int(numbers[1]) if len(numbers) > 1 and math.isfinite(numbers[1]) else 0
            candidates.append(Candidate(title, headings, text, rank, start))
        return self.rank(query, candidates, embedder)

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "features": list(self.features),
                "mean": list(self.mean),
                "scale": list(self.scale),
                "weights": list(self.weights),
            },
            indent=2,
        )


def load_reranker(path: Path) -> LinearReranker:
    """Reads a `linear-reranker-json` file; ModelFileError says what is wrong with it."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"{path.name}: not a {FORMAT} file ({error})") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ModelFileError(f"{path.name}: not a {FORMAT} file")
    if document.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(f"{path.name}: format_version {document.get('format_version')!r}")
    if document.get("features") != list(FEATURES):
        raise ModelFileError(f"{path.name}: its features are not the ones this code computes")
    columns = []
    for key in ("mean", "scale", "weights"):
        values = document.get(key)
        if (
            not isinstance(values, list)
            or len(values) != len(FEATURES)
            or not all(isinstance(v, int | float) and math.isfinite(v) for v in values)
        ):
            raise ModelFileError(f"{path.name}: {key} must be {len(FEATURES)} finite numbers")
        columns.append(tuple(float(v) for v in values))
    if any(value <= 0 for value in columns[1]):
        raise ModelFileError(f"{path.name}: scale must be positive")
    return LinearReranker(FEATURES, columns[0], columns[1], columns[2])


@dataclass(frozen=True, slots=True)
class Group:
    """The candidates of one training question: their features and which are relevant."""

    rows: Matrix
    relevant: tuple[bool, ...]
    irrelevant: tuple[bool, ...]  # said not relevant (feedback); otherwise unlabelled


def _pairs_of(group: Group) -> tuple[list[int], list[int]]:
    """Which candidates should rank above which: the relevant ones above the others (above
    only those said irrelevant, when some were), or, with none relevant, the unlabelled ones
    above those said irrelevant."""
    relevant = [i for i, yes in enumerate(group.relevant) if yes]
    irrelevant = [i for i, yes in enumerate(group.irrelevant) if yes]
    unlabelled = [i for i in range(len(group.relevant)) if i not in relevant + irrelevant]
    if relevant:
        return relevant, irrelevant or unlabelled
    return (unlabelled, irrelevant) if irrelevant else ([], [])


def train_pairwise(
    groups: Sequence[Group],
    *,
    epochs: int,
    learning_rate: float,
    l2: float,
    on_epoch: Callable[[int, float], None] = lambda epoch, loss: None,
) -> LinearReranker:
    """Gradient descent on the mean logistic loss of every (relevant, other) pair of a group,
    score(relevant) - score(other), plus l2 · |w|²; `on_epoch(epoch, loss)` after each epoch."""
    stacked = np.vstack([group.rows for group in groups])
    mean = stacked.mean(axis=0)
    scale = stacked.std(axis=0)
    scale[scale < 1e-9] = 1.0
    differences = []
    for group in groups:
        rows = (group.rows - mean) / scale
        better, worse = _pairs_of(group)
        for i in better:
            for j in worse:
                differences.append(rows[i] - rows[j])
    weights = np.zeros(len(FEATURES))
    if differences:
        pairs = np.asarray(differences)
        for epoch in range(1, epochs + 1):
            margins = pairs @ weights
            loss = float(np.mean(np.logaddexp(0.0, -margins)) + l2 * weights @ weights)
            gradient = -(pairs.T @ (1.0 / (1.0 + np.exp(margins)))) / len(pairs)
            weights -= learning_rate * (gradient + 2 * l2 * weights)
            on_epoch(epoch, loss)
    return LinearReranker(
        FEATURES, tuple(map(float, mean)), tuple(map(float, scale)), tuple(map(float, weights))
    )
