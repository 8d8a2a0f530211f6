"""One generation's in-memory indexes (BM25 and the dense index), kept equal to its chunks in
the database.

The database is the record; this process's indexes follow it. After a transaction changes the
chunks of some documents, `refresh` reads those documents' chunks of this generation's model
back and makes the indexes hold exactly them; `load` does it for all of them at start. Chunk ids
are never reused and a chunk row never changes, so comparing ids is enough.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.lexical import LexicalIndex
from ..domain.ports import VectorIndex
from ..repository.index_records import SqlIndexRecords, StoredChunkVector

log = logging.getLogger(__name__)
LOAD_BATCH = 2_000


class GenerationIndex:
    """The indexes of the chunks `model` embedded. Refreshes are serialized: two of the same
    document never interleave."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        lexical: LexicalIndex,
        dense: VectorIndex,
        model: str,
    ) -> None:
        self._sessions = sessions
        self.lexical = lexical
        self.dense = dense
        self.model = model
        self._held: dict[str, set[int]] = {}
        self._lock = asyncio.Lock()

    @property
    def chunk_count(self) -> int:
        return len(self.lexical)

    async def load(self) -> None:
        """Fill the indexes from the generation's whole record; the dense index keeps what it
        persisted that the record still has, loses what it no longer has, and gets what it
        lacks."""
        async with self._lock:
            persisted = await self.dense.ids()
            wanted: set[int] = set()
            after = 0
            while True:
                async with self._sessions() as session:
                    batch = await SqlIndexRecords(session).vectors_after(
                        after, LOAD_BATCH, self.model
                    )
                if not batch:
                    break
                after = batch[-1].vector.id
                self._hold(batch)
                wanted.update(stored.vector.id for stored in batch)
                await self.dense.upsert(
                    [stored.vector for stored in batch if stored.vector.id not in persisted]
                )
            stale = persisted - wanted
            if stale:
                await self.dense.delete(sorted(stale))
            log.info(
                "index loaded",
                extra={
                    "model": self.model,
                    "chunks": len(wanted),
                    "dense_kept": len(persisted & wanted),
                },
            )

    async def rename(self, model: str, relabel: Callable[[], Awaitable[None]]) -> None:
        """Hold the same chunks under `model`: `relabel` changes the record, with no refresh
        between it and the new name (one would find the documents empty)."""
        async with self._lock:
            await relabel()
            self.model = model

    async def refresh(self, documents: Iterable[str]) -> None:
        """Make the indexes hold exactly the recorded chunks of `documents`, now."""
        names = sorted(set(documents))
        if not names:
            return
        async with self._lock:
            async with self._sessions() as session:
                stored = await SqlIndexRecords(session).vectors_of(names, self.model)
            recorded: dict[str, list[StoredChunkVector]] = {name: [] for name in names}
            for chunk in stored:
                recorded[chunk.vector.meta.document].append(chunk)
            gone: list[int] = []
            added: list[StoredChunkVector] = []
            for name, chunks in recorded.items():
                held = self._held.pop(name, set())
                ids = {chunk.vector.id for chunk in chunks}
                gone.extend(held - ids)
                added.extend(chunk for chunk in chunks if chunk.vector.id not in held)
                if ids:
                    self._held[name] = ids
            if gone:
                self.lexical.remove(gone)
                await self.dense.delete(gone)
            for chunk in added:
                self.lexical.add(chunk.vector.id, chunk.searchable, chunk.vector.meta)
            if added:
                await self.dense.upsert([chunk.vector for chunk in added])

    def _hold(self, batch: list[StoredChunkVector]) -> None:
        for chunk in batch:
            self._held.setdefault(chunk.vector.meta.document, set()).add(chunk.vector.id)
            self.lexical.add(chunk.vector.id, chunk.searchable, chunk.vector.meta)
