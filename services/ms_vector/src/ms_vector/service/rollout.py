"""Rolling out another embedder version: a second index generation built side by side, then
switched to at once.

When the followed alias names a version other than the serving generation's (at start, and on
each ModelAliasMoved), that version's embedder is loaded and a generation is built beside the
serving one: every indexed document's chunks are embedded again (the same passages, read from
the record, so ms_knowledge is not asked) and recorded under the new model, while edits reach
both generations. Searches keep answering from the serving generation all along. Once the new
generation holds every document's chunks at the revision the serving one holds, the statuses
name its model and it serves, in one assignment. A build that fails (a model that cannot be
loaded, an artifact that does not match its SHA-256, the database failing) is recorded as
failed with its reason, its chunks are dropped, and the serving generation goes on; progress is
kept in `embedding_generations` (documents_done of documents_total).

Several instances. One builds (a lease on the generation's row, renewed as it goes); the others
read the record every `poll_seconds` and, once it names another serving model, load that
generation from the record and serve it. The builder keeps copying what the others indexed into
the old generation alone for `retire_grace_seconds` after its switch, then drops the old
generation's chunks: by then every instance serves the new one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from knowledge_kit.aio import first_set
from knowledge_kit.api import Clock, utc_now
from knowledge_kit.database import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.generations import GenerationRecord, GenerationState
from ..domain.ports import EmbedderSource, LoadedEmbedder, VectorIndex
from ..repository.generations import SqlGenerations
from ..repository.index_records import SqlIndexRecords
from .generation_copies import copy_documents, drop_chunks, missing_documents
from .live_index import Generation, LiveIndex

log = logging.getLogger(__name__)

DenseFor = Callable[[str, int], Awaitable[VectorIndex]]
"""(model version, dimensions) -> the dense index of that version's generation."""
Discard = Callable[[str, VectorIndex], Awaitable[None]]
"""Close a dropped generation's dense index and remove what it persisted."""


class Rollout:
    """Follows the alias `source` reads, and the record; one build at a time, in the
    background (`run`)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        live: LiveIndex,
        source: EmbedderSource,
        dense_for: DenseFor,
        discard: Discard,
        *,
        clock: Clock = utc_now,
        batch_documents: int = 64,
        retry_seconds: float = 10.0,
        poll_seconds: float = 5.0,
        lease_seconds: float = 60.0,
        retire_grace_seconds: float = 30.0,
        instance: str = "",
    ) -> None:
        self._sessions = sessions
        self._live = live
        self._source = source
        self._dense_for = dense_for
        self._discard = discard
        self._clock = clock
        self._batch = batch_documents
        self._retry = retry_seconds
        self._poll = poll_seconds
        self._lease = timedelta(seconds=lease_seconds)
        self._grace = retire_grace_seconds
        self.instance = instance or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
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
        """Check at start and on each `check_soon`, follow the record every `poll_seconds`;
        ms_ml out of reach is tried again."""
        self._wanted.set()
        while not stop.is_set():
            await self._follow_record()
            if self._wanted.is_set():
                self._wanted.clear()
                await self._check()
            await first_set(stop, self._wanted, seconds=self._poll)

    async def _check(self) -> None:
        try:
            holder = await self._source.holder()
        except Exception as error:  # ms_ml away: the serving generation goes on
            log.warning("the embedder's alias could not be read", extra={"error": str(error)})
            asyncio.get_running_loop().call_later(self._retry, self._wanted.set)
            return
        if holder != self._live.serving.model and holder not in self._failed:
            await self.roll_out(holder)

    async def _follow_record(self) -> None:
        """Serve what the record says serves (another instance switched), and take over a
        build whose builder's lease ran out."""
        now = self._clock()
        records = await self.generations()
        serving = next((r for r in records if r.state is GenerationState.SERVING), None)
        if any(
            r.state is GenerationState.BUILDING and not r.leased_to_another(self.instance, now)
            for r in records
        ):
            self._wanted.set()
        if serving is None or serving.model == self._live.serving.model:
            return
        if self._live.building is not None:
            return  # this instance builds; its own switch comes
        try:
            loaded = await self._source.load(serving.model, serving.sha256)
            dense = await self._dense_for(serving.model, loaded.embedder.dimensions)
            followed = self._generation(loaded, dense)
            await followed.index.load()
        except Exception as error:
            log.warning(
                "the serving generation could not be loaded",
                extra={"model": serving.model, "error": str(error)},
            )
            return
        previous, self._live.serving = self._live.serving, followed
        await previous.drained()
        await self._discard(previous.model, previous.index.dense)
        log.info("following the serving generation", extra={"model": serving.model})

    async def roll_out(self, version: str) -> bool:
        """Build `version`'s generation beside the serving one and switch to it; False when it
        could not be built (the failure recorded) or another instance builds it."""
        previous = self._live.serving
        record = await self._claim(version)
        if record is None:
            log.info("another instance builds the generation", extra={"model": version})
            return False
        built: Generation | None = None
        try:
            loaded = await self._source.load(version, record.sha256)
            record = replace(record, sha256=loaded.sha256)
            if loaded.fingerprint and loaded.fingerprint == previous.fingerprint:
                await self._adopt(previous, loaded, record)
                return True
            dense = await self._dense_for(version, loaded.embedder.dimensions)
            built = self._generation(loaded, dense)
            await self._drop_others({previous.model, version}, version)
            await built.index.load()  # what an interrupted build had done already
            self._live.building = built
            record = await self._fill(built, previous.model, record)
            await self._switch(built, previous, record)
        except Exception as error:
            log.exception("the embedder's new generation failed", extra={"model": version})
            self._failed.add(version)
            if self._live.building is built:
                self._live.building = None
            failed = replace(record, state=GenerationState.FAILED, error=f"{error}"[:2000])
            await self._record(replace(failed, lease_until=None))
            if built is not None:
                await drop_chunks(self._sessions, built.model)
                await self._discard(built.model, built.index.dense)
            return False
        await self._retire(built, previous)
        log.info("the embedder's new generation serves", extra={"model": version})
        return True

    def _generation(self, loaded: LoadedEmbedder, dense: VectorIndex) -> Generation:
        return Generation.of(
            self._sessions,
            loaded.embedder,
            dense,
            sha256=loaded.sha256,
            fingerprint=loaded.fingerprint,
        )

    async def _claim(self, version: str) -> GenerationRecord | None:
        """The generation's record, claimed by this instance; None while another's lease on
        it holds."""
        now = self._clock()
        earlier = next((r for r in await self.generations() if r.model == version), None)
        record = GenerationRecord(
            model=version,
            state=GenerationState.BUILDING,
            sha256=earlier.sha256 if earlier is not None else "",
            documents_total=0,
            documents_done=0,
            error="",
            create_time=earlier.create_time if earlier is not None else now,
            update_time=now,
            builder=self.instance,
            lease_until=now + self._lease,
        )
        async with UnitOfWork(self._sessions) as uow:
            claimed = await SqlGenerations(uow.session).claim(record, now)
            await uow.commit()
        if claimed:
            self._latest[version] = record
        return record if claimed else None

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

    async def _fill(
        self, built: Generation, source: str, record: GenerationRecord
    ) -> GenerationRecord:
        """Embed again every document whose chunks of model `source` are of a revision
        `built` does not hold yet, until none is left; progress (and the lease) recorded after
        each batch."""
        while True:
            missing, total = await missing_documents(self._sessions, built.model, source)
            done = total - len(missing)
            record = await self._progress(record, done, total)
            if not missing:
                return record
            for start in range(0, len(missing), self._batch):
                batch = missing[start : start + self._batch]
                await copy_documents(self._sessions, built, source, batch)
                done += len(batch)
                record = await self._progress(record, min(done, total), total)

    async def _progress(self, record: GenerationRecord, done: int, total: int) -> GenerationRecord:
        now = self._clock()
        record = replace(
            record,
            documents_done=done,
            documents_total=total,
            update_time=now,
            lease_until=now + self._lease,
        )
        await self._record(record)
        return record

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
            await generations.save(
                replace(record, state=GenerationState.SERVING, update_time=now, lease_until=None)
            )
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

    async def _retire(self, built: Generation, previous: Generation) -> None:
        """Once no search here reads `previous`: copy what other instances still indexed into
        it alone until they follow the switch (`retire_grace_seconds`), then drop it."""
        await previous.drained()
        loop = asyncio.get_running_loop()
        until = loop.time() + self._grace
        while True:
            missing, _ = await missing_documents(self._sessions, built.model, previous.model)
            for start in range(0, len(missing), self._batch):
                batch = missing[start : start + self._batch]
                await copy_documents(self._sessions, built, previous.model, batch)
            left = until - loop.time()
            if left <= 0:
                break
            await asyncio.sleep(min(self._poll, left))
        await drop_chunks(self._sessions, previous.model)
        await self._discard(previous.model, previous.index.dense)

    async def _drop_others(self, keep: set[str], building: str) -> None:
        """Builds abandoned earlier (the alias moved on while they ran): failed, their chunks
        dropped."""
        async with UnitOfWork(self._sessions) as uow:
            await SqlGenerations(uow.session).abandon_builds(
                building, f"the alias moved on to {building}", self._clock()
            )
            await SqlIndexRecords(uow.session).drop_models_except(keep)
            await uow.commit()

    async def _record(self, record: GenerationRecord) -> None:
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
