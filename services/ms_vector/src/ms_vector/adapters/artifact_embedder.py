"""An embedder read from a `wordllama-tar` artifact: WordLlama's token embeddings and tokenizer
as ms_ml stores a version of the `embedder` model.

The kit's embedder reads the weights from the artifact's own files, so a version with other
weights, e.g. the same model truncated to fewer dimensions, embeds as those weights do.
"""

from __future__ import annotations

import hashlib
import logging
import tarfile
from pathlib import Path
from typing import Any

from knowledge_kit.embeddings import UnusableEmbeddingModel, WordLlamaEmbedder

WEIGHTS = "weights/l2_supercat_256.safetensors"
TOKENIZER = "tokenizers/l2_supercat_tokenizer_config.json"
FORMAT = "wordllama-tar"


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


class ArtifactEmbedder(WordLlamaEmbedder):
    """The `Embedder` port on the files of a `wordllama-tar` artifact; `model` is the version
    it is (models/embedder/versions/N), recorded with every chunk it embeds."""

    def __init__(self, model: str, files: Path) -> None:
        try:
            super().__init__(model, files=files)
        except UnusableEmbeddingModel as error:
            raise UnusableModel(str(error)) from error


def _import_wordllama() -> Any:
    """wordllama configures the root logger when it is first imported; keep the service's."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    import wordllama  # type: ignore[import-untyped]

    root.handlers[:] = handlers
    root.setLevel(level)
    return wordllama
