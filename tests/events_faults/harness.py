"""The fault test's moving parts: its own broker, the outbox it records to, the relays and the
consumer processes, and waits that fail with the counts so far."""

from __future__ import annotations

import asyncio
import dataclasses
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from fleet.infra.kafka import KafkaBroker, start_kafka
from fleet.infra.net import free_port
from knowledge.knowledge.v1 import events_pb2
from knowledge.topics import KNOWLEDGE_DOCUMENTS_V1
from knowledge_kit.database.engine import create_database_engine, session_factory
from knowledge_kit.events import Outbox
from knowledge_kit.testing.infrastructure import create_topics, unique_name

from .ledger import LedgerCounts, applied_by, create_ledger, read_counts, record_revision
from .processes import DriverProcess, kill_broker

DOCUMENTS = [f"spaces/faults/documents/d{index}" for index in range(40)]
PARTITIONS = 4
CONSUMER_GROUP = "ms-faults"
EVENTS_PER_TRANSACTION = 25
# Recorded whenever a consumer the test waits on has nothing left to apply.
MORE_WHILE_WAITING = 250
WAIT_SECONDS = 90.0
POLL_SECONDS = 0.05


class FaultRun:
    """Everything one run of the test holds; `produce` records the next events in the outbox,
    each one the next revision of one of DOCUMENTS (the record key)."""

    def __init__(self, database_url: str, broker: KafkaBroker, workdir: Path) -> None:
        self.database_url = database_url
        self.broker = broker
        self.topic = dataclasses.replace(
            KNOWLEDGE_DOCUMENTS_V1, name=f"faults.{unique_name('documents')}.v1"
        )
        self.engine = create_database_engine(database_url, traced=False)
        self.sessions = session_factory(self.engine)
        self.outbox = Outbox("ms_faults")
        self.recorded = 0
        # One transaction at a time takes the next indices, however many `produce` calls run.
        self._recording = asyncio.Lock()
        self._producing: list[asyncio.Task[None]] = []
        # Two relays on the one database, as two replicas of a service run: the test kills the
        # first while the second keeps publishing.
        self.relays = [
            DriverProcess(name, "relay", [database_url, broker.bootstrap], workdir / f"{name}.log")
            for name in ("relay", "relay-2")
        ]
        self.relay = self.relays[0]
        self.consumers = [
            DriverProcess(
                name,
                "consume",
                [database_url, broker.bootstrap, self.topic.name, CONSUMER_GROUP, name],
                workdir / f"{name}.log",
            )
            for name in ("consumer-1", "consumer-2")
        ]

    @property
    def processes(self) -> list[DriverProcess]:
        return [*self.relays, *self.consumers]

    async def produce(self, count: int) -> None:
        """Record `count` more events, EVENTS_PER_TRANSACTION per transaction."""
        left = count
        while left:
            async with self._recording:
                batch = range(self.recorded, self.recorded + min(left, EVENTS_PER_TRANSACTION))
                async with self.sessions() as session, session.begin():
                    for index in batch:
                        document = DOCUMENTS[index % len(DOCUMENTS)]
                        revision = index // len(DOCUMENTS) + 1
                        await record_revision(session, document, revision)
                        event = events_pb2.DocumentUpdated(
                            document=document, revision=revision, previous_revision=revision - 1
                        )
                        await self.outbox.record(session, self.topic, event, subject=document)
                self.recorded = batch.stop
            left -= len(batch)
            await asyncio.sleep(0)  # let the test's waits look in between

    async def counts(self) -> LedgerCounts:
        async with self.sessions() as session:
            return await read_counts(session)

    async def applied_by(self, consumer: DriverProcess) -> int:
        async with self.sessions() as session:
            return await applied_by(session, consumer.name)

    async def until(
        self, what: str, reached: Callable[[LedgerCounts], bool], seconds: float = WAIT_SECONDS
    ) -> LedgerCounts:
        """Wait until the counts reach what `reached` asks; they are returned."""

        async def check() -> bool:
            return reached(await self.counts())

        await self._wait(what, check, seconds)
        return await self.counts()

    async def until_applied(self, what: str) -> LedgerCounts:
        """Wait until every event recorded so far (once what `until_applying` records is in)
        was applied."""
        await asyncio.gather(*self._producing)
        self._producing.clear()
        recorded = self.recorded
        return await self.until(what, lambda counts: counts.applied >= recorded)

    async def until_applying(self, consumer: DriverProcess, more: int) -> None:
        """Wait until `consumer` applied `more` events from now: it is busy with a batch.

        A consumer that (re)joined the group holds no partition until the group's next
        rebalance, and the events recorded before that may all go to the other member: while
        `consumer` waits with nothing left to apply, MORE_WHILE_WAITING more are recorded
        (in the background, so that it is still applying them when the wait ends)."""
        start = await self.applied_by(consumer)

        async def check() -> bool:
            if await self.applied_by(consumer) >= start + more:
                return True
            idle = all(task.done() for task in self._producing)
            if idle and (await self.counts()).applied >= self.recorded:
                self._producing.append(asyncio.create_task(self.produce(MORE_WHILE_WAITING)))
            return False

        await self._wait(f"{consumer.name} applying {more} more events", check, WAIT_SECONDS)

    async def until_caught_up(self) -> None:
        """Wait until the group committed every record: no redelivery is still due."""

        async def check() -> bool:
            return await self.uncommitted() == 0

        await self._wait("the consumer group committing every record", check, WAIT_SECONDS)

    async def _wait(self, what: str, check: Callable[[], Awaitable[bool]], seconds: float) -> None:
        """Poll `check`, restarting processes that exited on their own (as an orchestrator
        would); past `seconds`, fail with the counts so far and each process's last lines."""
        deadline = time.monotonic() + seconds
        while True:
            for process in self.processes:
                process.keep_running()
            if await check():
                return
            if time.monotonic() > deadline:
                logs = "\n".join(process.last_lines() for process in self.processes)
                raise AssertionError(
                    f"{what}: not reached in {seconds:.0f} s; {await self.counts()}\n{logs}"
                )
            await asyncio.sleep(POLL_SECONDS)

    async def kill_broker(self) -> None:
        await asyncio.to_thread(kill_broker, self.broker)

    async def restart_broker(self) -> None:
        """Start a broker again on the same data directory and client port."""
        self.broker = await asyncio.to_thread(
            start_kafka, workdir=self.broker.workdir, port=self.broker.port
        )

    async def published(self) -> int:
        """Records on the topic: the relayed events plus those a killed relay published again."""
        consumer = AIOKafkaConsumer(bootstrap_servers=self.broker.bootstrap)
        await consumer.start()
        try:
            partitions = [TopicPartition(self.topic.name, p) for p in range(PARTITIONS)]
            ends = await consumer.end_offsets(partitions)
        finally:
            await consumer.stop()
        return sum(ends.values())

    async def uncommitted(self) -> int:
        """Records the consumer group has not committed yet."""
        admin = AIOKafkaAdminClient(bootstrap_servers=self.broker.bootstrap)
        await admin.start()
        try:
            committed = await admin.list_consumer_group_offsets(CONSUMER_GROUP)
        finally:
            await admin.close()
        done = sum(
            max(meta.offset, 0) for tp, meta in committed.items() if tp.topic == self.topic.name
        )
        return await self.published() - int(done)


@asynccontextmanager
async def fault_run(database_url: str, workdir: Path) -> AsyncIterator[FaultRun]:
    """A dedicated broker (the shared test broker is never stopped), the ledger's tables, the
    topic with PARTITIONS partitions and the two consumers; all stopped on exit (the relays too,
    which the test starts once there is a backlog)."""
    broker = await asyncio.to_thread(start_kafka, workdir=workdir / "broker", port=free_port())
    run = FaultRun(database_url, broker, workdir)
    try:
        await create_ledger(run.engine, DOCUMENTS)
        await create_topics(broker.bootstrap, [run.topic.name], partitions=PARTITIONS)
        for consumer in run.consumers:
            consumer.start()
        yield run
    finally:
        for process in run.processes:
            process.stop()
        await run.engine.dispose()
        await asyncio.to_thread(run.broker.stop)
        shutil.rmtree(run.broker.workdir, ignore_errors=True)
