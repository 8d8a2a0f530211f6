"""Helpers for the kit's event tests: a state table, a test topic, and reading topics back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.structs import ConsumerRecord
from google.protobuf.message import Message
from knowledge.topics import Topic
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge_kit.database import create_database_engine, session_factory
from knowledge_kit.events import (
    EVENTS_METADATA,
    EventConsumer,
    EventHandler,
    KafkaConnection,
    create_producer,
)
from knowledge_kit.testing import unique_name

STATE = MetaData()
notes = Table("notes", STATE, Column("id", Integer, primary_key=True), Column("body", String(200)))
applied = Table(
    "applied_events", STATE, Column("id", Integer, primary_key=True), Column("body", String(200))
)
EVENT_TYPE = "google.protobuf.StringValue"


def note_topic(name: str) -> Topic:
    return Topic(
        name=name,
        owner="ms_test",
        description="notes for the kit's tests",
        key="note resource name",
        partitions=1,
        retention_hours=1,
        event_types=(EVENT_TYPE,),
    )


@asynccontextmanager
async def notes_database(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a database with the outbox, inbox and the notes tables."""
    engine = create_database_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(EVENTS_METADATA.create_all)
        await connection.run_sync(STATE.create_all)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


async def count_rows(sessions: async_sessionmaker[AsyncSession], table: Table) -> int:
    async with sessions() as session:
        return int((await session.execute(select(func.count()).select_from(table))).scalar_one())


async def read_topic(bootstrap: str, topic: str, expected: int) -> list[ConsumerRecord]:
    """The first `expected` records of `topic` (waits up to 30 s for them to arrive)."""
    consumer = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        async with asyncio.timeout(30):
            while len(records) < expected:
                batches = await consumer.getmany(timeout_ms=200)
                for batch in batches.values():
                    records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def eventually(condition: Callable[[], Awaitable[bool]], what: str) -> None:
    """Wait (up to 30 s) until `condition` holds; fail naming `what` otherwise."""
    try:
        async with asyncio.timeout(30):
            while True:
                if await condition():
                    return
                await asyncio.sleep(0.1)
    except TimeoutError:
        raise AssertionError(f"timed out waiting until {what}") from None


@asynccontextmanager
async def running_producer(bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    producer = create_producer(bootstrap)
    await producer.start()
    try:
        yield producer
    finally:
        await producer.stop()


async def consume(
    bootstrap: KafkaConnection | str,
    topic: str,
    sessions: async_sessionmaker[AsyncSession],
    handlers: Mapping[type[Message], EventHandler],
    *,
    records: int,
    dead_letter: str | None = None,
    max_attempts: int = 3,
) -> None:
    """Run a fresh consumer group on `topic` until it has handled `records` records."""
    consumer = EventConsumer(
        service="ms_test",
        group_id=unique_name("group"),
        bootstrap=bootstrap,
        topics=[topic],
        sessions=sessions,
        handlers=handlers,
        max_attempts=max_attempts,
        retry_backoff_seconds=0.01,
        dead_letter=dead_letter or f"{topic}.deadletter",
    )
    stop = asyncio.Event()
    running = asyncio.create_task(consumer.run(stop))

    async def handled() -> bool:
        return consumer.records_handled >= records

    try:
        await eventually(handled, f"{records} records were handled")
    finally:
        stop.set()
        await running


async def topic_size(bootstrap: str, topic: str) -> int:
    """How many records `topic` holds (single partition test topics)."""
    from aiokafka import TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap)
    await consumer.start()
    try:
        partition = TopicPartition(topic, 0)
        ends = await consumer.end_offsets([partition])
        return int(ends[partition])
    finally:
        await consumer.stop()
