"""The relay: publish committed outbox events to Kafka, then delete them from the outbox.

The outbox holds only what is still to be sent: once Kafka has acknowledged an event, the topic
is its record. A crash between publishing and deleting re-publishes the batch on restart
(at-least-once); consumers absorb the duplicates through their inbox, so each event is applied
once. (A row a relay of a kit before 1.19 marked sent, `sent_at` set, is deleted with the batch
it comes in, not published again.)

While it runs, the relay keeps one connection of the pool (`HeldConnection`), so that a busy
service's transactions do not hold its batches up.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import structlog
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.producer.message_accumulator import BatchBuilder
from knowledge.common.v1 import event_envelope_pb2
from sqlalchemy import BigInteger, any_, cast, delete, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge_kit.aio import first_set
from knowledge_kit.database.held_connection import HeldConnection
from knowledge_kit.events.commits import watch_commits
from knowledge_kit.events.envelope import kafka_headers
from knowledge_kit.events.tables import outbox_events

_log = structlog.get_logger("knowledge_kit.relay")
DEFAULT_BATCH_SIZE = 1000  # events a relay batch takes at most (`outbox_batch_size`)
_PARTITIONER = DefaultPartitioner()  # the producer's: a key's records go where `send` puts them


# Relays of one PostgreSQL database (each replica of a service runs one) publish one batch at a
# time: a relay publishing the events after another's batch while that one is still on its way
# would put a key's later event in Kafka before its earlier one. A transaction-level advisory
# lock (PostgreSQL's advisory locks belong to one database) serializes their batches.
_ONE_RELAY_AT_A_TIME = text("SELECT pg_advisory_xact_lock(3354823988)")  # crc32 of the kit's name


class OutboxRelay:
    """Publishes unsent outbox rows in commit order, `batch_size` at a time. Several relays may
    run against one PostgreSQL database (one per replica of the service): they take turns, a
    batch each, so that each key's events reach Kafka in the order they were recorded."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        producer: AIOKafkaProducer,
        *,
        batch_size: int = DEFAULT_BATCH_SIZE,
        idle_seconds: float = 2.0,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        self._sessions = sessions
        self._producer = producer
        self._idle_seconds = idle_seconds
        self._held: HeldConnection | None = None  # while `run` runs
        # FOR UPDATE: a relay of a kit before 1.19 (during an upgrade) takes no advisory lock,
        # and this one waits for the rows such a relay is publishing, then sees them sent.
        # No filter on `sent_at`: the outbox's primary key gives the batch in order, and the
        # rows such a relay marked are deleted in their turn instead of lying in its way.
        self._pending = (
            select(
                outbox_events.c.position,
                outbox_events.c.topic,
                outbox_events.c.envelope,
                outbox_events.c.sent_at,
            )
            .order_by(outbox_events.c.position)
            .limit(batch_size)
            .with_for_update()
        )

    async def publish_pending_events(self) -> int:
        """Publish one batch of unsent events; returns how many rows it took from the outbox
        (all published, but for any a relay of a kit before 1.19 had sent: those deleted)."""
        session = self._sessions() if self._held is None else await self._held.session()
        async with session, session.begin():
            postgresql = session.get_bind().dialect.name == "postgresql"
            if postgresql:
                await session.execute(_ONE_RELAY_AT_A_TIME)
            rows = (await session.execute(self._pending)).all()
            if not rows:
                return 0
            deliveries = await self._send(rows)
            positions = [row.position for row in rows]
            if postgresql:
                await self._delete_while_acknowledged(session, positions, deliveries)
            else:
                # SQLite has one writer for the whole database: deleting the batch would hold
                # every other write of the service up for as long as Kafka takes to acknowledge.
                await asyncio.gather(*deliveries)
                await self._delete_sent(session, positions)
        return len(rows)

    async def _delete_while_acknowledged(
        self, session: AsyncSession, positions: list[int], deliveries: list[asyncio.Future[Any]]
    ) -> None:
        # Deleted while Kafka acknowledges the records, the two waits overlapping (one after
        # the other, the statement took 11-17 ms of a batch of 500's 65-80); the deletion
        # commits only once every record is acknowledged, and is rolled back otherwise.
        deleting = asyncio.ensure_future(self._delete_sent(session, positions))
        try:
            await asyncio.gather(*deliveries)
        except BaseException:
            # The statement ends before the transaction rolls back; Kafka's error is raised.
            await asyncio.wait([deleting])
            if not deleting.cancelled():
                deleting.exception()
            raise
        await deleting

    async def _send(self, rows: Sequence[Any]) -> list[asyncio.Future[Any]]:
        """Hand the rows to the producer in their order, a record batch per topic partition
        (each record in the partition `producer.send` picks for its key); their deliveries.

        Not `send` per record: that call builds a coroutine, looks the partitions up and makes
        a future for each record, about half of the relay's work per event. The batches of a
        partition go in the order they were filled, so the partition keeps the outbox's order."""
        deliveries: list[asyncio.Future[Any]] = []
        filling: dict[tuple[str, int], BatchBuilder] = {}
        partitions_of: dict[str, list[int]] = {}
        for row in rows:
            if row.sent_at is not None:
                continue  # published by a relay of a kit before 1.19
            envelope = event_envelope_pb2.EventEnvelope.FromString(row.envelope)
            key = envelope.subject.encode()
            partitions = partitions_of.get(row.topic)
            if partitions is None:
                partitions = partitions_of[row.topic] = sorted(
                    await self._producer.partitions_for(row.topic)
                )
            partition = _PARTITIONER(key, partitions, partitions)
            headers = kafka_headers(envelope)
            batch = filling.get((row.topic, partition))
            if batch is not None:
                appended = batch.append(
                    timestamp=None, key=key, value=row.envelope, headers=headers
                )
                if appended is not None:
                    continue
                # Full: on its way, and a new one for this record.
                deliveries.append(
                    await self._producer.send_batch(batch, row.topic, partition=partition)
                )
            batch = filling[(row.topic, partition)] = self._producer.create_batch()
            # An empty batch takes any record (one larger than the batch size, alone).
            batch.append(timestamp=None, key=key, value=row.envelope, headers=headers)
        for (topic, partition), batch in filling.items():
            deliveries.append(await self._producer.send_batch(batch, topic, partition=partition))
        return deliveries

    async def _delete_sent(self, session: AsyncSession, positions: list[int]) -> None:
        # Deleted, not marked sent: PostgreSQL writes a new version of each row it updates
        # (envelope and index entries included) and only marks one it deletes (about a fifth
        # less of its CPU per event in benchmarks/outbox_throughput.py); and an outbox that kept
        # its sent rows grew forever.
        # On PostgreSQL one array parameter: an IN list of a batch's positions (a parameter each)
        # took 45 ms to plan and run for 1,000 rows, longer than publishing them.
        claimed = (
            outbox_events.c.position == any_(cast(positions, ARRAY(BigInteger)))
            if session.get_bind().dialect.name == "postgresql"
            else outbox_events.c.position.in_(positions)
        )
        await session.execute(delete(outbox_events).where(claimed))

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until `stop` is set. Events recorded through this relay's sessionmaker leave
        as soon as their transaction commits; otherwise the relay looks every `idle_seconds`,
        and backs off (logging the cause) while the database or Kafka fails."""
        committed = watch_commits(self._sessions)
        failures = 0
        held = self._held = HeldConnection(self._sessions)
        try:
            await held.take()
            while not stop.is_set():
                committed.clear()
                try:
                    published = await self.publish_pending_events()
                    failures = 0
                except Exception:
                    failures += 1
                    _log.exception("outbox_relay_failed", attempt=failures)
                    await held.release()  # it may be broken: the next batch takes a fresh one
                    published = 0
                if published == 0:
                    delay = self._idle_seconds * (2 ** min(failures, 5))
                    # While failing, only the backoff (not every new commit) brings the next try.
                    await first_set(stop, *([] if failures else [committed]), seconds=delay)
        finally:
            self._held = None
            await held.release()
