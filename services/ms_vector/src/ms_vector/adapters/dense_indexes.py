"""The dense index of each generation: one per embedding model version, in the same store.

The shipped model's generation keeps the names a single index always had (`INDEX_PATH`, the
Qdrant alias `QDRANT_COLLECTION`); another version's generation gets its own beside them
(`vector-index.<version>.npz`, the alias `<collection>_<version>`), so two can be held, filled
and searched at once, and the old one removed after a switch.
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from qdrant_client import AsyncQdrantClient

from ..domain.ports import VectorIndex
from .faiss_index import FaissVectorIndex
from .qdrant_index import QdrantVectorIndex


class DenseIndexes:
    """Opens and discards generations' dense indexes: FAISS files under `index_path`'s
    directory, or Qdrant collections when `qdrant` is given."""

    def __init__(
        self,
        *,
        shipped_model: str,
        index_path: Path,
        qdrant: AsyncQdrantClient | None = None,
        collection: str = "chunks",
    ) -> None:
        self._shipped = shipped_model
        self._path = index_path
        self._qdrant = qdrant
        self._collection = collection

    async def open(self, model: str, dimensions: int) -> VectorIndex:
        """`model`'s generation's index, with what it persisted before."""
        if self._qdrant is None:
            return await asyncio.to_thread(FaissVectorIndex, dimensions, self.path_of(model))
        qdrant = QdrantVectorIndex(self._qdrant, self.collection_of(model), dimensions)
        await qdrant.ensure()
        return qdrant

    async def discard(self, model: str, index: VectorIndex) -> None:
        """Close `index` and remove what it persisted (its FAISS file, wherever it is: an
        adopted generation keeps the file it had under the shipped model)."""
        if isinstance(index, FaissVectorIndex):
            await index.discard()
        else:
            await index.close()

    def path_of(self, model: str) -> Path:
        if model == self._shipped:
            return self._path
        return self._path.with_name(f"{self._path.stem}.{_slug(model)}{self._path.suffix}")

    def collection_of(self, model: str) -> str:
        if model == self._shipped:
            return self._collection
        return f"{self._collection}_{_slug(model)}"[:63].rstrip("_")


def _slug(model: str) -> str:
    """models/embedder/versions/2 -> embedder_2."""
    name = model.removeprefix("models/").replace("/versions/", "_")
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
