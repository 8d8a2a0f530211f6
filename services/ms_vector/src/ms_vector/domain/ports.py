"""What the search needs of the outside world: an embedding model and indexes over chunks.

Each port has more than one adapter (the in-process FAISS index and Qdrant for the dense
index), and the service layer sees only these protocols.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from .chunks import ChunkMeta, DocumentRevision
from .filters import ChunkFilter

Vectors = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class Hit:
    """A chunk id a retriever found, with its score (higher is better)."""

    id: int
    score: float


@dataclass(frozen=True, slots=True)
class ChunkVector:
    """A chunk's vector and the fields the index filters on."""

    id: int
    vector: Vectors  # shape (dimensions,), L2-normalised
    meta: ChunkMeta


class Embedder(Protocol):
    """A text embedding model; vectors are L2-normalised, so a dot product is cosine."""

    @property
    def model(self) -> str:
        """The model version's resource name, recorded with every chunk it embeds."""

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Shape (len(texts), dimensions), float32. CPU-bound: call it off the event loop."""


class VectorIndex(Protocol):
    """The dense (ANN) index: chunk ids with their vectors, searched under a filter."""

    async def upsert(self, chunks: Sequence[ChunkVector]) -> None: ...

    async def delete(self, ids: Sequence[int]) -> None: ...

    async def search(self, query: Vectors, limit: int, allowed: ChunkFilter) -> list[Hit]:
        """The `limit` nearest admitted chunks by cosine, best first; fewer only when fewer
        chunks are admitted (a restrictive filter never starves the result)."""

    async def ids(self) -> set[int]:
        """Every id held, to reconcile with the database at start."""

    async def close(self) -> None:
        """Persist what needs persisting and release resources."""


class DocumentSource(Protocol):
    """Where spaces are read again from (ms_knowledge), as the user who asked may read them."""

    async def members(self, space: str, token: str) -> dict[str, int]:
        """Every member of `space` (users/{user}) with their role (1 viewer, 2 editor, 3 owner),
        read with the bearer `token`; NotFoundError when the space does not exist or the
        token's user is not a member."""
        ...

    def revisions(self, space: str, token: str) -> AsyncIterator[DocumentRevision]:
        """The current revision of every document of `space`, read with the bearer `token`."""
        ...


class EmbedderSource(Protocol):
    """Where embedder versions come from (ms_ml's registry): which one holds the alias
    followed, and a version's embedder."""

    async def holder(self) -> str:
        """The version (models/{model}/versions/{version}) holding the alias now."""
        ...

    async def load(self, version: str, sha256: str = "") -> LoadedEmbedder:
        """`version`'s embedder (`sha256`: its artifact's, known from before, so a verified
        local copy may do)."""
        ...


@dataclass(frozen=True, slots=True)
class LoadedEmbedder:
    """An embedder version as loaded: the SHA-256 of its artifact, and a fingerprint of the
    model files themselves (two versions with the same fingerprint embed alike)."""

    embedder: Embedder
    sha256: str
    fingerprint: str
