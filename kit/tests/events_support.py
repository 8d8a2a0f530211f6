"""Helpers for the kit's event tests: a state table, a test topic, and reading topics back."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord
from knowledge.topics import Topic
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from knowledge_kit.events import EVENTS_METADATA

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


async def create_tables(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(EVENTS_METADATA.create_all)
        await connection.run_sync(STATE.create_all)


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
