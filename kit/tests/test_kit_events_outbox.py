"""Outbox → relay → Kafka → inbox consumer, on real PostgreSQL, SQLite and Kafka."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from google.protobuf.wrappers_pb2 import StringValue
from knowledge.common.v1 import event_envelope_pb2
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge_kit.database import UnitOfWork, create_database_engine, session_factory
from knowledge_kit.events import (
    ConsumedEvent,
    EventConsumer,
    Outbox,
    OutboxRelay,
    create_producer,
    outbox_events,
)
from knowledge_kit.testing import unique_name

from .events_support import (
    applied,
    count_rows,
    create_tables,
    eventually,
    note_topic,
    notes,
    read_topic,
)

NewTopic = Callable[..., Awaitable[str]]
outbox = Outbox("ms_test")


class RelayKilledBeforeMarkingSent(OutboxRelay):
    async def _mark_sent(self, session: AsyncSession, positions: list[int]) -> None:
        raise RuntimeError("relay process killed after publishing")


async def _record_note(
    sessions: async_sessionmaker[AsyncSession], topic_name: str, body: str, *, commit: bool = True
) -> None:
    async with UnitOfWork(sessions) as uow:
        await uow.session.execute(notes.insert().values(body=body))
        await outbox.record(
            uow.session, note_topic(topic_name), StringValue(value=body), subject=f"notes/{body}"
        )
        if commit:
            await uow.commit()


async def test_a_committed_event_is_applied_once_even_when_the_relay_dies_before_marking_it_sent(
    postgres_database_url: str, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    engine = create_database_engine(postgres_database_url)
    sessions = session_factory(engine)
    await create_tables(engine)
    topic = await new_kafka_topic("notes")
    await _record_note(sessions, topic, "first")

    producer = create_producer(kafka_bootstrap)
    await producer.start()
    try:
        with pytest.raises(RuntimeError, match="killed"):
            await RelayKilledBeforeMarkingSent(sessions, producer).publish_pending_events()
        restarted = OutboxRelay(sessions, producer)
        assert await restarted.publish_pending_events() == 1
        assert await restarted.publish_pending_events() == 0
    finally:
        await producer.stop()

    published = await read_topic(kafka_bootstrap, topic, expected=2)
    envelopes = [event_envelope_pb2.EventEnvelope.FromString(r.value) for r in published]
    assert [r.key for r in published] == [b"notes/first", b"notes/first"]
    assert envelopes[0].id == envelopes[1].id and envelopes[0].source == "ms_test"

    async def apply(event: ConsumedEvent) -> None:
        await event.session.execute(applied.insert().values(body=event.payload.value))

    consumer = EventConsumer(
        service="ms_test",
        group_id=unique_name("group"),
        bootstrap=kafka_bootstrap,
        topics=[topic],
        sessions=sessions,
        handlers={StringValue: apply},
        dead_letter=f"{topic}.deadletter",
    )
    stop = asyncio.Event()
    running = asyncio.create_task(consumer.run(stop))
    try:
        await eventually(lambda: _handled(consumer, 2), "both copies were consumed")
    finally:
        stop.set()
        await running
    assert await count_rows(sessions, applied) == 1
    await engine.dispose()


async def _handled(consumer: EventConsumer, records: int) -> bool:
    return consumer.records_handled >= records


async def test_a_rolled_back_transaction_publishes_nothing(
    sqlite_database_url: str, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    engine = create_database_engine(sqlite_database_url)
    sessions = session_factory(engine)
    await create_tables(engine)
    topic = await new_kafka_topic("notes")
    await _record_note(sessions, topic, "abandoned", commit=False)
    with pytest.raises(ValueError, match="boom"):
        async with UnitOfWork(sessions) as uow:
            await outbox.record(
                uow.session, note_topic(topic), StringValue(value="x"), subject="notes/x"
            )
            raise ValueError("boom")

    producer = create_producer(kafka_bootstrap)
    await producer.start()
    try:
        assert await OutboxRelay(sessions, producer).publish_pending_events() == 0
    finally:
        await producer.stop()
    assert await count_rows(sessions, notes) == 0
    assert await count_rows(sessions, outbox_events) == 0
    await engine.dispose()
