"""Rolling out another embedder version: a second index generation built side by side, then
switched to at once.

When the followed alias names a version other than the serving generation's (at start, and on
each ModelAliasMoved), that version's embedder is loaded and a generation is built beside the
serving one: every indexed document's chunks are embedded again (the same passages, read from
the record, so ms_knowledge is not asked) and recorded under the new model, while edits reach
both generations. Searches keep answering from the serving generation all along. Once the new
generation holds every document's chunks at the revision the serving one holds, the statuses
name its model and it serves, in one assignment; the old generation's chunks are dropped once
no search still reads them. A build that fails (a model that cannot be loaded, an artifact that
does not match its SHA-256, the database failing) is recorded as failed with its reason, its
chunks are dropped, and the serving generation goes on; progress is kept in
`embedding_generations` (documents_done of documents_total).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from knowledge_kit.aio import first_set
from knowledge_kit.api import Clock, utc_now
from knowledge_kit.database import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.chunking import embedding_text
from ..domain.chunks import IndexedChunk, Passage
from ..domain.generations import GenerationRecord, GenerationState
from ..domain.ports import EmbedderSource, LoadedEmbedder, VectorIndex
from ..repository.generations import SqlGenerations
from ..repository.index_records import SqlIndexRecords
from .live_index import Generation, LiveIndex

log = logging.getLogger(__name__)

DenseFor = Callable[[str, int], Awaitable[VectorIndex]]
"""(model version, dimensions) -> the dense index of that version's generation."""
Discard = Callable[[str, VectorIndex], Awaitable[None]]
"""Close a dropped generation's dense index and remove what it persisted."""

DROP_BATCH = 2_000


class Rollout:
    """Follows the alias `source` reads; one build at a time, in the background (`run`)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        live: LiveIndex,
        source: EmbedderSource,
        dense_for: DenseFor,
        discard: Discard,
        *,
        clock: Clock = utc_now,
        batch_documents: int = 16,
        retry_seconds: float = 10.0,
    ) -> None:
        self._sessions = sessions
        self._live = live
        self._source = source
        self._dense_for = dense_for
        self._discard = discard
        self._clock = clock
        self._batch = batch_documents
        self._retry = retry_seconds
        self._wanted = asyncio.Event()
        self._failed: set[str] = set()
        self._latest: dict[str, GenerationRecord] = {}

    def latest(self) -> list[GenerationRecord]:
        """The generations as this instance last recorded or read them (no I/O)."""
        return list(self._latest.values())

    def check_soon(self) -> None:
        """Ask ms_ml which version holds the alias, and roll it out if it is another."""
        self._wanted.set()

    async def generations(self) -> list[GenerationRecord]:
        """Every generation recorded: the serving one, one being built (with its progress),
        failed ones with their reason."""
        async with self._sessions() as session:
            records = await SqlGenerations(session).all()
        self._latest = {record.model: record for record in records}
        return records

    async def run(self, stop: asyncio.Event) -> None:
        """Check at start and on each `check_soon`; ms_ml out of reach is tried again."""
        await self.generations()
        self._wanted.set()
        while not stop.is_set():
            await first_set(stop, self._wanted, seconds=self._retry)
            if stop.is_set():
                return
            if not self._wanted.is_set():
                continue
            self._wanted.clear()
            try:
                holder = await self._source.holder()
            except Exception as error:  # ms_ml away: the serving generation goes on
                log.warning("the embedder's alias could not be read", extra={"error": str(error)})
                self._wanted.set()
                await first_set(stop, seconds=self._retry)
                continue
            if holder != self._live.serving.model and holder not in self._failed:
                await self.roll_out(holder)

    async def roll_out(self, version: str) -> bool:
        """Build `version`'s generation beside the serving one and switch to it; False (the
        failure recorded) when it could not be built."""
        previous = self._live.serving
        record = await self._started(version)
        built: Generation | None = None
        try:
            loaded = await self._source.load(version, record.sha256)
            record = replace(record, sha256=loaded.sha256)
            if loaded.fingerprint and loaded.fingerprint == previous.fingerprint:
                await self._adopt(previous, loaded, record)
                return True
            embedder = loaded.embedder
            dense = await self._dense_for(version, embedder.dimensions)
            built = Generation.of(
                self._sessions,
                embedder,
                dense,
                sha256=loaded.sha256,
                fingerprint=loaded.fingerprint,
            )
            await self._drop_others(keep={previous.model, version})
            await built.index.load()  # what an interrupted build had done already
            self._live.building = built
            record = await self._fill(built, previous.model, record) or record
            await self._switch(built, previous, record)
        except Exception as error:
            log.exception("the embedder's new generation failed", extra={"model": version})
            self._failed.add(version)
            if self._live.building is built:
                self._live.building = None
            await self._record(
                replace(record, state=GenerationState.FAILED, error=f"{error}"[:2000])
            )
            if built is not None:
                await self._drop(built)
            return False
        await previous.drained()
        await self._fill(built, previous.model, None)  # edits that reached only the old one
        await self._drop(previous)
        log.info("the embedder's new generation serves", extra={"model": version})
        return True

    async def _adopt(
        self, previous: Generation, loaded: LoadedEmbedder, record: GenerationRecord
    ) -> None:
        """The new version is the serving model's very files under another name: its chunks
        are relabelled, not embedded again, and the same indexes serve under the new name."""
        model = loaded.embedder.model
        total = 0

        async def relabel() -> None:
            nonlocal total
            async with UnitOfWork(self._sessions) as uow:
                records = SqlIndexRecords(uow.session)
                await records.relabel(previous.model, model)
                total = len(await records.revisions_by_document(model))
                await uow.commit()

        await previous.index.rename(model, relabel)
        record = replace(record, documents_total=total, documents_done=total)
        await self._switch_records(model, previous, record)
        self._live.serving = previous.renamed(loaded.embedder, sha256=loaded.sha256)
        async with UnitOfWork(self._sessions) as uow:  # what was indexed meanwhile
            await SqlIndexRecords(uow.session).relabel(previous.model, model)
            await uow.commit()
        log.info("the embedder's new version is the serving model", extra={"model": model})

    async def _started(self, version: str) -> GenerationRecord:
        now = self._clock()
        async with self._sessions() as session:
            known = {record.model: record for record in await SqlGenerations(session).all()}
        earlier = known.get(version)
        record = GenerationRecord(
            model=version,
            state=GenerationState.BUILDING,
            sha256=earlier.sha256 if earlier is not None else "",
            documents_total=0,
            documents_done=0,
            error="",
            create_time=earlier.create_time if earlier is not None else now,
            update_time=now,
        )
        await self._record(record)
        return record

    async def _fill(
        self, built: Generation, source_model: str, record: GenerationRecord | None
    ) -> GenerationRecord | None:
        """Embed again every document whose chunks of `source_model` are of a revision
        `built` does not hold yet, until none is left; progress goes to `record`."""
        while True:
            async with self._sessions() as session:
                records = SqlIndexRecords(session)
                wanted = await records.revisions_by_document(source_model)
                held = await records.revisions_by_document(built.model)
            missing = sorted(name for name, rev in wanted.items() if held.get(name) != rev)
            if record is not None:
                record = replace(
                    record,
                    documents_total=len(wanted),
                    documents_done=len(wanted) - len(missing),
                    update_time=self._clock(),
                )
                await self._record(record)
            if not missing:
                return record
            for start in range(0, len(missing), self._batch):
                await self._copy(built, source_model, missing[start : start + self._batch])

    async def _copy(self, built: Generation, source_model: str, documents: list[str]) -> None:
        async with self._sessions() as session:
            records = SqlIndexRecords(session)
            read = {name: await records.chunks_of(name, source_model) for name in documents}
        texts = [
            embedding_text(chunk.title, _passage(chunk))
            for name in documents
            for chunk in read[name]
        ]
        vectors = await asyncio.to_thread(built.embedder.embed, texts)
        async with UnitOfWork(self._sessions) as uow:
            records = SqlIndexRecords(uow.session)
            offset = 0
            for name in documents:
                chunks = read[name]
                now = await records.chunks_of(name, source_model)
                if [chunk.id for chunk in now] == [chunk.id for chunk in chunks]:
                    await records.copy_chunks(
                        name, chunks, vectors[offset : offset + len(chunks)], built.model
                    )
                offset += len(chunks)  # a document changed meanwhile is taken on the next pass
            await uow.commit()
        await built.index.refresh(documents)

    async def _switch(
        self, built: Generation, previous: Generation, record: GenerationRecord
    ) -> None:
        await self._switch_records(built.model, previous, record)
        self._live.switch()

    async def _switch_records(
        self, model: str, previous: Generation, record: GenerationRecord
    ) -> None:
        """The statuses name `model`, its generation serves, `previous` is retired."""
        now = self._clock()
        async with UnitOfWork(self._sessions) as uow:
            generations = SqlGenerations(uow.session)
            await SqlIndexRecords(uow.session).set_statuses_model(model)
            await generations.save(replace(record, state=GenerationState.SERVING, update_time=now))
            await generations.save(
                GenerationRecord(
                    model=previous.model,
                    state=GenerationState.RETIRED,
                    sha256=previous.sha256,
                    documents_total=0,
                    documents_done=0,
                    error="",
                    create_time=now,
                    update_time=now,
                )
            )
            await uow.commit()
        await self.generations()

    async def _drop(self, generation: Generation) -> None:
        """Delete a generation's chunks and close (and remove) its dense index."""
        while True:
            async with UnitOfWork(self._sessions) as uow:
                dropped = await SqlIndexRecords(uow.session).drop_model_chunks(
                    generation.model, DROP_BATCH
                )
                await uow.commit()
            if dropped < DROP_BATCH:
                break
        await self._discard(generation.model, generation.index.dense)

    async def _drop_others(self, keep: set[str]) -> None:
        """Chunks of a build abandoned earlier (the alias moved on while it ran)."""
        async with UnitOfWork(self._sessions) as uow:
            await SqlIndexRecords(uow.session).drop_models_except(keep)
            await uow.commit()

    async def _record(self, record: GenerationRecord | None) -> None:
        if record is None:
            return
        async with UnitOfWork(self._sessions) as uow:
            await SqlGenerations(uow.session).save(record)
            await uow.commit()
        self._latest[record.model] = record
        log.info(
            "index generation",
            extra={
                "model": record.model,
                "state": record.state.name.lower(),
                "documents_done": record.documents_done,
                "documents_total": record.documents_total,
                "error": record.error,
            },
        )


def _passage(chunk: IndexedChunk) -> Passage:
    return Passage(
        ordinal=chunk.ordinal,
        text=chunk.text,
        start=chunk.start,
        end=chunk.end,
        heading_path=chunk.heading_path,
    )
