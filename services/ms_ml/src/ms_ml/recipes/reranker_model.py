"""A trained reranker as serving loads it: `load_reranker(path).predict(inputs)`.

Each input is one (query, passage) pair: `text` the query, `text_pair` the passage as
`title\\nheading path\\ntext`, `features` optional positional numbers [first-stage rank (1-based),
start offset in its document]. Inputs sharing a `text` are one query's candidates and are scored
together (the lexical features are relative to them); a missing rank is the input's place among
them. Scores are comparable within one query only: higher is more relevant.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from .linear_model import FORMAT, Embedder, LinearReranker, ModelFileError
from .linear_model import load_reranker as _load

__all__ = ["FORMAT", "ModelFileError", "RerankerPredictor", "load_reranker"]

_shared: Embedder | None = None
_lock = threading.Lock()


class PredictionInput(Protocol):
    @property
    def text(self) -> str: ...

    @property
    def text_pair(self) -> str: ...

    @property
    def features(self) -> Sequence[float]: ...


def _platform_embedder() -> Embedder:
    """The platform's WordLlama embedder, loaded once per process on first use."""
    global _shared
    with _lock:
        if _shared is None:
            from knowledge_kit.embeddings import WordLlamaEmbedder

            _shared = WordLlamaEmbedder()
        return _shared


class RerankerPredictor:
    def __init__(self, model: LinearReranker, embedder: Embedder | None = None) -> None:
        self.model = model
        self._embedder = embedder

    def predict(self, inputs: Sequence[PredictionInput]) -> list[float]:
        """One score per input, in their order."""
        embedder = self._embedder or _platform_embedder()
        by_query: dict[str, list[int]] = {}
        for index, item in enumerate(inputs):
            by_query.setdefault(item.text, []).append(index)
        scores = [0.0] * len(inputs)
        for query, indexes in by_query.items():
            found = self.model.predict(
                query,
                [inputs[i].text_pair for i in indexes],
                [list(inputs[i].features) for i in indexes],
                embedder,
            )
            for index, score in zip(indexes, found, strict=True):
                scores[index] = score
        return scores


def load_reranker(path: Path, embedder: Embedder | None = None) -> RerankerPredictor:
    """Reads a `linear-reranker-json` file (ModelFileError says what is wrong with one). The
    platform's embedder, unless one is given, is loaded now: a deployment loads its versions,
    so the first Predict after it does not wait seconds for the embedding model."""
    return RerankerPredictor(_load(path), embedder or _platform_embedder())
