"""The embedding model the extractive answerer compares meanings with: WordLlama's static token
embeddings (256 dimensions), read from the weights its wheel ships, so nothing is downloaded.

The same model ms_vector indexes passages with: a text's vector is the average of its tokens'
embeddings, so embedding a few hundred sentences and words takes milliseconds on one CPU.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

_CONFIG = "l2_supercat"
_DIMENSIONS = 256
_WEIGHTS = f"weights/{_CONFIG}_{_DIMENSIONS}.safetensors"
_TOKENIZER = f"tokenizers/{_CONFIG}_tokenizer_config.json"
_BATCH = 256


class EmbeddingModelMissing(RuntimeError):
    """The model's weights or tokenizer are not where the embedder reads them from."""


class WordLlamaEmbedder:
    """Embeds texts as L2-normalised float32 rows; `files` is the directory holding `weights/`
    and `tokenizers/` (by default the installed wordllama package itself)."""

    def __init__(self, *, files: Path | None = None) -> None:
        wordllama = _import_wordllama()
        files = files if files is not None else Path(wordllama.__file__).parent
        missing = [
            str(files / name) for name in (_WEIGHTS, _TOKENIZER) if not (files / name).is_file()
        ]
        if missing:
            raise EmbeddingModelMissing(
                f"the embedding model's files are missing: {', '.join(missing)} "
                f"(they ship in the wordllama wheel; reinstall it)"
            )
        self._inference: Any = wordllama.WordLlama.load(
            config=_CONFIG, dim=_DIMENSIONS, cache_dir=files, disable_download=True
        )

    def embed(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One unit row per text (a text without a single token embeds as the zero vector)."""
        vectors = np.zeros((len(texts), _DIMENSIONS), dtype=np.float32)
        if not texts:
            return vectors
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), _BATCH):
            batch = order[start : start + _BATCH]
            vectors[batch] = self._inference.embed(
                [texts[i] for i in batch], norm=False, batch_size=_BATCH
            )
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        np.divide(vectors, norms, out=vectors, where=norms > 0)
        return vectors


def _import_wordllama() -> Any:
    """wordllama configures the root logger when it is imported (logging.basicConfig at
    INFO); the service's own logging set-up is kept as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import wordllama  # type: ignore[import-untyped]

    root.handlers[:] = handlers
    root.setLevel(level)
    return wordllama
