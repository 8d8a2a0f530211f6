"""Artifact formats: how a stored artifact becomes a served model.

- `wordllama-tar`: a tar of WordLlama's `weights/` and `tokenizers/` files (the embedder
  ms_vector uses); answers Embed.
- `linear-json`: `{"weights": [...], "bias": 0.0, "activation": "identity" | "sigmoid"}`; Predict
  scores each input's features.
- `linear-reranker-json`: the reranker the built-in recipe trains (ms_ml.recipes); Predict
  scores each (query text, passage text_pair).
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import tarfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from knowledge_kit.errors import DomainError
from numpy.typing import NDArray

from ..domain.inference import PredictionInput, Served
from ..domain.names import invalid

Loader = Callable[[Path, Path, str], Served]
"""(verified artifact file, a scratch directory of its own, version name) -> the served model."""

WORDLLAMA_FILES = (
    "weights/l2_supercat_256.safetensors",
    "tokenizers/l2_supercat_tokenizer_config.json",
)


class _Refusing:
    """The call a model does not answer."""

    task = ""

    def predict(self, inputs: Sequence[PredictionInput]) -> list[float]:
        raise DomainError(f"a {self.task} model does not answer Predict; call Embed")

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        raise DomainError(f"a {self.task or 'scoring'} model does not answer Embed; call Predict")


class WordLlamaModel(_Refusing):
    task = "embedding"

    def __init__(self, files: Path, version: str) -> None:
        from knowledge_kit.embeddings import UnusableEmbeddingModel, WordLlamaEmbedder

        try:
            self._embedder = WordLlamaEmbedder(version, files=files)
        except UnusableEmbeddingModel as error:
            raise DomainError(str(error)) from error

    @property
    def dimensions(self) -> int:
        return self._embedder.dimensions

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        return self._embedder.embed(texts)


class LinearModel(_Refusing):
    task = "scoring"

    def __init__(self, weights: Sequence[float], bias: float, activation: str) -> None:
        self._weights = np.asarray(weights, dtype=np.float64)
        self._bias = bias
        self._sigmoid = activation == "sigmoid"

    def predict(self, inputs: Sequence[PredictionInput]) -> list[float]:
        scores = []
        for index, item in enumerate(inputs):
            if len(item.features) != len(self._weights):
                raise invalid(
                    f"inputs[{index}].features",
                    f"must hold {len(self._weights)} numbers (got {len(item.features)})",
                )
            with np.errstate(over="ignore", invalid="ignore"):
                value = float(np.dot(self._weights, item.features)) + self._bias
            if not math.isfinite(value):
                raise invalid(f"inputs[{index}].features", "must be finite numbers of a sane size")
            scores.append(1.0 / (1.0 + math.exp(-value)) if self._sigmoid else value)
        return scores


class RerankerModel(_Refusing):
    task = "ranking"

    def __init__(self, reranker: Any) -> None:
        self._reranker = reranker

    def predict(self, inputs: Sequence[PredictionInput]) -> list[float]:
        return [float(score) for score in self._reranker.predict(inputs)]


def load_wordllama(path: Path, scratch: Path, version: str) -> Served:
    files = scratch / "files"
    if not all((files / name).is_file() for name in WORDLLAMA_FILES):
        with tarfile.open(path) as archive:
            names = set(archive.getnames())
            missing = [name for name in WORDLLAMA_FILES if name not in names]
            if missing:
                raise DomainError(f"the wordllama-tar artifact lacks {', '.join(missing)}")
            archive.extractall(
                files, members=[archive.getmember(n) for n in WORDLLAMA_FILES], filter="data"
            )
    return WordLlamaModel(files, version)


def load_linear(path: Path, scratch: Path, version: str) -> Served:
    try:
        spec = json.loads(path.read_text(encoding="utf-8"))
        weights = [float(value) for value in spec["weights"]]
        bias = float(spec.get("bias", 0.0))
        activation = str(spec.get("activation", "identity"))
    except (ValueError, KeyError, TypeError) as error:
        raise DomainError(
            f"the linear-json artifact of {version} is not readable: {error}"
        ) from error
    if activation not in {"identity", "sigmoid"} or not all(map(math.isfinite, weights)):
        raise DomainError(f"the linear-json artifact of {version} is not a linear model")
    return LinearModel(weights, bias, activation)


def load_linear_reranker(path: Path, scratch: Path, version: str) -> Served:
    from ..recipes.reranker_model import load_reranker  # type: ignore[import-not-found, unused-ignore]

    return RerankerModel(load_reranker(path))


FORMATS: dict[str, Loader] = {
    "wordllama-tar": load_wordllama,
    "linear-json": load_linear,
    "linear-reranker-json": load_linear_reranker,
}


def wordllama_tar(files: Path) -> bytes:
    """The shipped WordLlama files as one tar, byte for byte the same every time (fixed order,
    times and owners), so the same weights always have the same SHA-256."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
        for name in WORDLLAMA_FILES:
            data = (files / name).read_bytes()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
