"""The in-memory side of the index: the generation that serves searches and, while the
embedder's alias moves, the one being built beside it.

Every change to the record is refreshed into both (`refresh`, `refresh_soon`), so the new
generation misses no edit made while it is built. A search holds the serving generation for
its whole course (`reading`): the switch to another generation is one assignment, and the old
generation's chunks are dropped only once no search still reads them.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from knowledge_kit.aio import first_set
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.lexical import LexicalIndex
from ..domain.ports import Embedder, VectorIndex
from .generation_index import GenerationIndex
from .retrieval import Retrieval


@dataclass(eq=False)
class Generation:
    """A model version's embedder and the indexes of the chunks it embedded."""

    embedder: Embedder
    index: GenerationIndex
    retrieval: Retrieval
    sha256: str = ""
    fingerprint: str = ""
    readers: int = 0
    _idle: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self._idle.set()

    @property
    def model(self) -> str:
        return self.embedder.model

    @classmethod
    def of(
        cls,
        sessions: async_sessionmaker[AsyncSession],
        embedder: Embedder,
        dense: VectorIndex,
        *,
        sha256: str = "",
        fingerprint: str = "",
    ) -> Generation:
        """`embedder`'s generation on `dense` and a new BM25 index; nothing loaded yet."""
        lexical = LexicalIndex()
        index = GenerationIndex(sessions, lexical, dense, embedder.model)
        return cls(embedder, index, Retrieval(embedder, dense, lexical), sha256, fingerprint)

    def renamed(self, embedder: Embedder, *, sha256: str) -> Generation:
        """This generation's indexes under `embedder`, another version of the same model
        (`index.rename` gave them its name)."""
        retrieval = Retrieval(embedder, self.index.dense, self.index.lexical)
        return Generation(embedder, self.index, retrieval, sha256, self.fingerprint)

    def enter(self) -> None:
        self.readers += 1
        self._idle.clear()

    def leave(self) -> None:
        self.readers -= 1
        if not self.readers:
            self._idle.set()

    async def drained(self) -> None:
        """Return once no search reads this generation."""
        await self._idle.wait()


class LiveIndex:
    """The serving generation, the one being built (if any), and refreshes of both."""

    def __init__(self, serving: Generation) -> None:
        self.serving = serving
        self.building: Generation | None = None
        self._pending: set[str] = set()
        self._arrived = asyncio.Event()

    @property
    def lexical(self) -> LexicalIndex:
        return self.serving.index.lexical

    @property
    def dense(self) -> VectorIndex:
        return self.serving.index.dense

    @property
    def chunk_count(self) -> int:
        return self.serving.index.chunk_count

    def writing(self) -> list[Generation]:
        """The generations a change must reach: the serving one, then the one being built."""
        return [self.serving] if self.building is None else [self.serving, self.building]

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[Generation]:
        """The serving generation, kept (its chunks are not dropped) until the block ends."""
        generation = self.serving
        generation.enter()
        try:
            yield generation
        finally:
            generation.leave()

    def switch(self) -> Generation:
        """The generation being built serves from now on; the one that served is returned."""
        if self.building is None:
            raise RuntimeError("no generation is being built")
        previous, self.serving, self.building = self.serving, self.building, None
        return previous

    async def load(self) -> None:
        """Fill the serving generation's indexes from the record."""
        await self.serving.index.load()

    async def refresh(self, documents: Iterable[str]) -> None:
        """Make every generation's indexes hold exactly the recorded chunks of `documents`."""
        names = sorted(set(documents))
        for generation in self.writing():
            await generation.index.refresh(names)

    def refresh_soon(self, documents: Iterable[str]) -> None:
        """Refresh `documents` from the background task (`run`): for changes made where
        nobody waits on the result, e.g. events applied by the consumer."""
        self._pending.update(documents)
        self._arrived.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Apply `refresh_soon` requests until `stop` is set."""
        while not stop.is_set():
            await first_set(stop, self._arrived, seconds=1.0)
            self._arrived.clear()
            pending, self._pending = self._pending, set()
            if pending:
                await self.refresh(pending)
