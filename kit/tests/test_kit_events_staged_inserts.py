"""Handlers that stage their rows: one insert per batch, each event still applied once and in
order, a refused row parks only its own event, and the transaction reads its staged rows."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest
from google.protobuf.wrappers_pb2 import StringValue
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge_kit.database import UnitOfWork, stage_insert, write_staged
from knowledge_kit.events import ConsumedEvent, new_envelope
from knowledge_kit.events.envelope import EventEnvelope

from .events_support import applied, consume, notes_database, read_topic, running_producer

NewTopic = Callable[..., Awaitable[str]]


async def _send(bootstrap: str, topic: str, bodies: list[str], *, twice: bool = False) -> None:
    """One envelope per body, all on one key (so in one partition, in this order); `twice`
    sends them all again, as a relay that died before deleting them from the outbox would."""
    envelopes = [
        new_envelope(StringValue(value=body), source="ms_test", subject="notes/n")
        for body in bodies
    ]
    async with running_producer(bootstrap) as producer:
        for _ in range(2 if twice else 1):
            for envelope in envelopes:
                await producer.send(topic, envelope.SerializeToString(), key=b"notes/n")
        await producer.flush()


async def _stage_body(event: ConsumedEvent) -> None:
    stage_insert(event.session, applied, {"body": event.payload.value})


async def _applied_bodies(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    async with sessions() as session:
        rows = await session.execute(select(applied.c.body).order_by(applied.c.id))
        return list(rows.scalars())


async def test_staged_rows_of_a_batch_are_applied_once_each_in_the_order_of_their_events(
    postgres_database_url: str, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    bodies = [f"note {number}" for number in range(40)]
    async with notes_database(postgres_database_url) as sessions:
        topic = await new_kafka_topic("notes")
        await _send(kafka_bootstrap, topic, bodies, twice=True)

        await consume(kafka_bootstrap, topic, sessions, {StringValue: _stage_body}, records=80)

        assert await _applied_bodies(sessions) == bodies


async def test_a_staged_row_the_database_refuses_parks_only_its_own_event(
    postgres_database_url: str, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    too_long = "x" * 300  # the body column holds 200 characters
    bodies = ["first", "second", too_long, "fourth"]
    async with notes_database(postgres_database_url) as sessions:
        topic = await new_kafka_topic("notes")
        dead_letter = await new_kafka_topic("deadletter")
        await _send(kafka_bootstrap, topic, bodies)

        await consume(
            kafka_bootstrap,
            topic,
            sessions,
            {StringValue: _stage_body},
            records=4,
            dead_letter=dead_letter,
        )

        assert await _applied_bodies(sessions) == ["first", "second", "fourth"]
        [parked] = await read_topic(kafka_bootstrap, dead_letter, expected=1)
        reason = dict(parked.headers)["dead-letter-reason"].decode()
        assert "after 3 attempts" in reason
        assert "value too long" in reason


async def test_a_transaction_reads_its_staged_rows_and_a_rollback_drops_them(
    postgres_database_url: str,
) -> None:
    count = select(func.count()).select_from(applied)
    async with notes_database(postgres_database_url) as sessions:
        async with UnitOfWork(sessions) as uow:
            stage_insert(uow.session, applied, {"body": "dropped"})
            assert await uow.session.scalar(count) == 1
            stage_insert(uow.session, applied, {"body": "dropped too"})
        async with UnitOfWork(sessions) as uow:
            stage_insert(uow.session, applied, {"body": "kept"})
            stage_insert(uow.session, applied, {"body": "kept too"})
            await uow.commit()
        assert await _applied_bodies(sessions) == ["kept", "kept too"]


async def test_rows_staged_around_a_savepoint_are_refused_rather_than_lost_with_it(
    postgres_database_url: str,
) -> None:
    async with notes_database(postgres_database_url) as sessions:
        async with UnitOfWork(sessions) as uow:
            stage_insert(uow.session, applied, {"body": "before the savepoint"})
            async with uow.session.begin_nested():
                with pytest.raises(RuntimeError, match="write_staged"):
                    await uow.session.execute(select(applied.c.id))
                with pytest.raises(RuntimeError, match="savepoint"):
                    stage_insert(uow.session, applied, {"body": "inside"})
        async with UnitOfWork(sessions) as uow:
            stage_insert(uow.session, applied, {"body": "before the savepoint"})
            await write_staged(uow.session)
            async with uow.session.begin_nested():
                await uow.session.execute(applied.insert().values(body="inside"))
            await uow.commit()
        assert await _applied_bodies(sessions) == ["before the savepoint", "inside"]


async def _read_then_stage_body(event: ConsumedEvent) -> None:
    await event.session.execute(select(func.count()).select_from(applied))
    stage_insert(event.session, applied, {"body": event.payload.value})


async def test_a_refused_staged_row_written_by_the_next_handler_parks_only_its_own_event(
    postgres_database_url: str, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    # The third handler's read writes the second's refused row and raises its error: with one
    # attempt an event, only the second is parked, the third is applied.
    bodies = ["first", "x" * 300, "third"]
    async with notes_database(postgres_database_url) as sessions:
        topic = await new_kafka_topic("notes")
        dead_letter = await new_kafka_topic("deadletter")
        await _send(kafka_bootstrap, topic, bodies)

        await consume(
            kafka_bootstrap,
            topic,
            sessions,
            {StringValue: _read_then_stage_body},
            records=3,
            dead_letter=dead_letter,
            max_attempts=1,
        )

        assert await _applied_bodies(sessions) == ["first", "third"]
        [parked] = await read_topic(kafka_bootstrap, dead_letter, expected=1)
        parked_body = StringValue()
        EventEnvelope.FromString(parked.value).payload.Unpack(parked_body)
        assert parked_body.value == "x" * 300
