"""The platform's embedding model: WordLlama's static token embeddings (256 dimensions), read
from the weights its wheel ships, so nothing is ever downloaded (`knowledge-kit[embeddings]`).
ms_vector indexes passages with it and ms_chat compares answer sentences with it.

WordLlama averages the embeddings of a text's tokens; there is no network in the model, so one
CPU embeds a few thousand passages a second. The tokenizer (Rust, `tokenizers`) is only read
after loading and releases the GIL, and the rest is NumPy on arrays local to the call, so one
embedder serves concurrent `asyncio.to_thread` calls without a lock.

The tokenizer keeps no cache of the words it has split. `tokenizers` would keep up to 10,000 of
them: an embedder given 40,000 texts with two new words each (timestamps, ids, names, as a
service indexing edits meets them) grew by 126 MiB before that cache was full, by 27 MiB
without it, and the same passages embed as fast without it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

Vectors = NDArray[np.float32]

DEFAULT_MODEL = "models/embedder/versions/wordllama-l2-supercat-256"
_CONFIG = "l2_supercat"
_DIMENSIONS = 256
_WEIGHTS = f"weights/{_CONFIG}_{_DIMENSIONS}.safetensors"
_TOKENIZER = f"tokenizers/{_CONFIG}_tokenizer_config.json"
_TENSOR = "embedding.weight"
# Texts are embedded in batches of similar length: a batch is padded to its longest text.
_BATCH = 256


class EmbeddingModelMissing(RuntimeError):
    """The model's weights or tokenizer are not where the embedder reads them from."""


class UnusableEmbeddingModel(ValueError):
    """Files that are there but hold no token embedding matrix the embedder can serve."""


class WordLlamaEmbedder:
    """WordLlama's `l2_supercat` 256-dimension weights, as ms_vector's `Embedder` port wants.

    `model` is the model version's resource name recorded with every chunk it embeds; a
    different model (or different weights) must be given a different name, so that the chunks
    it embedded are re-indexed side by side rather than mixed. `files` is the directory holding
    `weights/` and `tokenizers/`: by default the installed wordllama package itself; other
    weights there (e.g. a model version truncated to fewer dimensions) embed as they are.
    """

    def __init__(self, model: str = DEFAULT_MODEL, *, files: Path | None = None) -> None:
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
        # Read from `files` themselves: wordllama's own loader prefers the copy inside its
        # package, whatever `files` holds, so other weights would be served as the shipped ones.
        from safetensors import safe_open  # type: ignore[import-untyped, unused-ignore]

        try:
            with safe_open(str(files / _WEIGHTS), framework="np") as weights:
                embedding = np.asarray(weights.get_tensor(_TENSOR), dtype=np.float32)
        except Exception as error:
            raise UnusableEmbeddingModel(
                f"the weights of {model} cannot be read: {error}"
            ) from error
        if embedding.ndim != 2 or embedding.shape[1] < 1:
            raise UnusableEmbeddingModel(f"the weights of {model} are not a token embedding matrix")
        tokenizer = wordllama.WordLlama.load_tokenizer(files / _TOKENIZER)
        _keep_no_word_cache(tokenizer)
        self._model = model
        self._inference: Any = wordllama.inference.WordLlamaInference(embedding, tokenizer)
        self._dimensions = int(embedding.shape[1])

    @property
    def model(self) -> str:
        return self._model

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def embed(self, texts: Sequence[str]) -> Vectors:
        """L2-normalised float32 rows, one per text (a text without a single token, such as
        "", embeds as the zero vector: it is similar to nothing)."""
        vectors = np.zeros((len(texts), self._dimensions), dtype=np.float32)
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


def _keep_no_word_cache(tokenizer: Any) -> None:
    """A BPE model's word cache holds each distinct word it has split; its capacity is only
    settable through `_resize_cache` (tokenizers 0.21 and later)."""
    resize = getattr(tokenizer.model, "_resize_cache", None)
    if resize is None:
        raise UnusableEmbeddingModel(
            f"the tokenizer's model ({type(tokenizer.model).__name__}) has no settable word "
            f"cache: the embedder needs tokenizers>=0.21 with a BPE model"
        )
    resize(0)


def _import_wordllama() -> Any:
    """wordllama configures the root logger when it is imported (logging.basicConfig at
    INFO); the service's own logging set-up is kept as it was."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import wordllama  # type: ignore[import-untyped]
    import wordllama.inference  # type: ignore[import-untyped]

    root.handlers[:] = handlers
    root.setLevel(level)
    return wordllama
