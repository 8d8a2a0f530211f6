"""An embedder read from a `wordllama-tar` artifact: WordLlama's token embeddings and tokenizer
as ms_ml stores a version of the `embedder` model.

The weights are read from the artifact's own files (wordllama's `WordLlama.load` would prefer
the copy inside its package, whatever the artifact holds), so a version with other weights,
e.g. the same model truncated to fewer dimensions, embeds as those weights do.
"""

from __future__ import annotations

import hashlib
import logging
import tarfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..domain.ports import Vectors

WEIGHTS = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
TENSOR = "embedding.weight"
FORMAT = "wordllama-tar"
_BATCH = 256


class UnusableModel(ValueError):
    """An artifact that is not an embedder this service can load."""


def unpack(artifact: Path, into: Path) -> Path:
    """The weights and tokenizer of a `wordllama-tar` artifact, extracted under `into`."""
    if not all((into / name).is_file() for name in (WEIGHTS, TOKENIZER)):
        try:
            with tarfile.open(artifact) as archive:
                names = set(archive.getnames())
                missing = [name for name in (WEIGHTS, TOKENIZER) if name not in names]
                if missing:
                    raise UnusableModel(f"the {FORMAT} artifact lacks {', '.join(missing)}")
                members = [archive.getmember(name) for name in (WEIGHTS, TOKENIZER)]
                archive.extractall(into, members=members, filter="data")
        except tarfile.TarError as error:
            raise UnusableModel(f"the artifact is not a {FORMAT}: {error}") from error
    return into


def fingerprint(files: Path) -> str:
    """The SHA-256 of the weights and the tokenizer under `files`: equal fingerprints, the
    same model (whatever version names it)."""
    digest = hashlib.sha256()
    for name in (WEIGHTS, TOKENIZER):
        with (files / name).open("rb") as source:
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def shipped_files() -> Path:
    """Where the shipped model's files are: inside the installed wordllama package."""
    return Path(_import_wordllama().__file__).parent


class ArtifactEmbedder:
    """The `Embedder` port on the files of a `wordllama-tar` artifact; `model` is the version
    it is (models/embedder/versions/N), recorded with every chunk it embeds."""

    def __init__(self, model: str, files: Path) -> None:
        wordllama = _import_wordllama()
        from safetensors import safe_open  # type: ignore[import-untyped, unused-ignore]

        try:
            with safe_open(str(files / WEIGHTS), framework="np") as weights:
                embedding = np.asarray(weights.get_tensor(TENSOR), dtype=np.float32)
        except Exception as error:
            raise UnusableModel(f"the weights of {model} cannot be read: {error}") from error
        if embedding.ndim != 2 or embedding.shape[1] < 1:
            raise UnusableModel(f"the weights of {model} are not a token embedding matrix")
        tokenizer = wordllama.WordLlama.load_tokenizer(files / TOKENIZER)
        self._inference: Any = wordllama.inference.WordLlamaInference(embedding, tokenizer)
        self._model = model
        self._dimensions = int(embedding.shape[1])

    @property
    def model(self) -> str:
        return self._model

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def embed(self, texts: Sequence[str]) -> Vectors:
        """L2-normalised float32 rows, one per text (a text without a token is all zeros)."""
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


def _import_wordllama() -> Any:
    """wordllama configures the root logger when it is first imported; keep the service's."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import wordllama  # type: ignore[import-untyped]
    import wordllama.inference  # type: ignore[import-untyped]

    root.handlers[:] = handlers
    root.setLevel(level)
    return wordllama
