"""Outbox → relay → Kafka → inbox consumer, on real PostgreSQL, SQLite and Kafka."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import pytest
from google.protobuf.wrappers_pb2 import StringValue
from knowledge.common.v1 import event_envelope_pb2
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge_kit.database import UnitOfWork
from knowledge_kit.events import ConsumedEvent, Outbox, OutboxRelay, outbox_events

from .events_support import (
    applied,
    consume,
    count_rows,
    eventually,
    note_topic,
    notes,
    notes_database,
    read_topic,
    running_producer,
)

NewTopic = Callable[..., Awaitable[str]]
outbox = Outbox("ms_test")


class RelayKilledBeforeDeleting(OutboxRelay):
    async def _delete_sent(self, session: AsyncSession, positions: list[int]) -> None:
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


async def test_a_committed_event_is_applied_once_even_when_the_relay_dies_before_deleting_it(
    postgres_database_url: str, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    async with notes_database(postgres_database_url) as sessions:
        topic = await new_kafka_topic("notes")
        await _record_note(sessions, topic, "first")

        async with running_producer(kafka_bootstrap) as producer:
            with pytest.raises(RuntimeError, match="killed"):
                await RelayKilledBeforeDeleting(sessions, producer).publish_pending_events()
            assert await count_rows(sessions, outbox_events) == 1
            restarted = OutboxRelay(sessions, producer)
            assert await restarted.publish_pending_events() == 1
            assert await restarted.publish_pending_events() == 0
        assert await count_rows(sessions, outbox_events) == 0, "a sent event stayed in the outbox"

        published = await read_topic(kafka_bootstrap, topic, expected=2)
        envelopes = [event_envelope_pb2.EventEnvelope.FromString(r.value) for r in published]
        assert [r.key for r in published] == [b"notes/first", b"notes/first"]
        assert envelopes[0].id == envelopes[1].id and envelopes[0].source == "ms_test"

        async def apply(event: ConsumedEvent) -> None:
            await event.session.execute(applied.insert().values(body=event.payload.value))

        await consume(kafka_bootstrap, topic, sessions, {StringValue: apply}, records=2)
        assert await count_rows(sessions, applied) == 1


async def test_a_rolled_back_transaction_publishes_nothing(
    sqlite_database_url: str, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    async with notes_database(sqlite_database_url) as sessions:
        topic = await new_kafka_topic("notes")
        await _record_note(sessions, topic, "abandoned", commit=False)
        with pytest.raises(ValueError, match="boom"):
            async with UnitOfWork(sessions) as uow:
                await outbox.record(
                    uow.session, note_topic(topic), StringValue(value="x"), subject="notes/x"
                )
                raise ValueError("boom")

        async with running_producer(kafka_bootstrap) as producer:
            assert await OutboxRelay(sessions, producer).publish_pending_events() == 0
        assert await count_rows(sessions, notes) == 0
        assert await count_rows(sessions, outbox_events) == 0


async def test_a_commit_with_events_wakes_the_relay_at_once(
    postgres_database_url: str, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    """The relay looks for events only once an hour here: once it has had its first look, the
    events can only leave because their commit woke it."""
    async with notes_database(postgres_database_url) as sessions:
        topic = await new_kafka_topic("notes")
        async with running_producer(kafka_bootstrap) as producer:
            stop = asyncio.Event()
            relay = CountingRelay(sessions, producer, idle_seconds=3600)
            running = asyncio.create_task(relay.run(stop))

            async def looked() -> bool:
                return relay.looks > 0

            await eventually(looked, "the relay had its first look")
            await _record_note(sessions, topic, "rolled-back", commit=False)
            await _record_note(sessions, topic, "first")
            await _record_note(sessions, topic, "second")
            published = await read_topic(kafka_bootstrap, topic, expected=2)
            stop.set()
            await running
    assert [record.key for record in published] == [b"notes/first", b"notes/second"]


class CountingRelay(OutboxRelay):
    looks = 0

    async def publish_pending_events(self) -> int:
        published = await super().publish_pending_events()
        self.looks += 1
        return published


async def test_events_recorded_together_are_published_in_their_order_after_the_commit(
    each_database_url: str, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    async with notes_database(each_database_url) as sessions:
        topic = await new_kafka_topic("notes")
        bodies = [f"n{number}" for number in range(5)]
        async with UnitOfWork(sessions) as uow:
            await uow.session.execute(notes.insert(), [{"body": body} for body in bodies])
            envelopes = await outbox.record_many(
                uow.session,
                note_topic(topic),
                [(StringValue(value=body), f"notes/{body}") for body in bodies],
            )
            assert await outbox.record_many(uow.session, note_topic(topic), []) == []
            await uow.commit()
        with pytest.raises(ValueError, match="is not an event of topic"):
            async with UnitOfWork(sessions) as uow:
                await outbox.record_many(
                    uow.session,
                    note_topic(topic),
                    [
                        (StringValue(value="fine"), "notes/fine"),
                        (event_envelope_pb2.EventEnvelope(), "notes/wrong"),
                    ],
                )
                await uow.commit()

        async with running_producer(kafka_bootstrap) as producer:
            assert await OutboxRelay(sessions, producer).publish_pending_events() == 5
        assert await count_rows(sessions, outbox_events) == 0
        published = await read_topic(kafka_bootstrap, topic, expected=5)
    assert [record.key for record in published] == [f"notes/{body}".encode() for body in bodies]
    ids = [event_envelope_pb2.EventEnvelope.FromString(r.value).id for r in published]
    assert ids == [envelope.id for envelope in envelopes] and len(set(ids)) == 5


class HeldAcknowledgements(OutboxRelay):
    """A relay whose batches Kafka acknowledges only once `acknowledge` is set, as a broker
    that is slow to answer does."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.acknowledge = asyncio.Event()
        self.waiting = asyncio.Event()

    async def _send(self, rows: Sequence[Any]) -> list[asyncio.Future[Any]]:
        deliveries = await super()._send(rows)

        async def acknowledged(delivery: asyncio.Future[Any]) -> Any:
            self.waiting.set()
            await self.acknowledge.wait()
            return await delivery

        return [asyncio.ensure_future(acknowledged(delivery)) for delivery in deliveries]


async def test_on_sqlite_the_services_writes_go_on_while_kafka_acknowledges_a_batch(
    sqlite_database_url: str, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    """SQLite has one writer for the whole database: a relay that marked its batch sent while
    Kafka acknowledged it held every write of the service up for as long as Kafka took."""
    async with notes_database(sqlite_database_url) as sessions:
        topic = await new_kafka_topic("notes")
        await _record_note(sessions, topic, "first")
        async with running_producer(kafka_bootstrap) as producer:
            relay = HeldAcknowledgements(sessions, producer)
            publishing = asyncio.create_task(relay.publish_pending_events())
            await relay.waiting.wait()
            await asyncio.sleep(0.3)  # what the relay does meanwhile, it has done by now
            await asyncio.wait_for(_record_note(sessions, topic, "second"), timeout=3)
            relay.acknowledge.set()
            assert await publishing == 1
            assert await relay.publish_pending_events() == 1
        published = await read_topic(kafka_bootstrap, topic, expected=2)
    assert [record.key for record in published] == [b"notes/first", b"notes/second"]


class RefusedAcknowledgements(OutboxRelay):
    """A relay whose batches Kafka refuses, as a broker that went down after taking them does."""

    async def _send(self, rows: Sequence[Any]) -> list[asyncio.Future[Any]]:
        deliveries = await super()._send(rows)
        await asyncio.gather(*deliveries)
        refused: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        refused.set_exception(ConnectionError("the broker went away"))
        return [refused]


async def test_a_batch_kafka_refuses_stays_unsent_and_goes_again(
    each_database_url: str, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    """On SQLite the batch is marked sent only after Kafka acknowledged it; on PostgreSQL the
    mark, made while Kafka acknowledges, is rolled back."""
    async with notes_database(each_database_url) as sessions:
        topic = await new_kafka_topic("notes")
        await _record_note(sessions, topic, "first")
        async with running_producer(kafka_bootstrap) as producer:
            with pytest.raises(ConnectionError, match="went away"):
                await RefusedAcknowledgements(sessions, producer).publish_pending_events()
            assert await count_rows(sessions, outbox_events) == 1, "a refused event was deleted"
            assert await OutboxRelay(sessions, producer).publish_pending_events() == 1
            assert await OutboxRelay(sessions, producer).publish_pending_events() == 0


async def test_rows_an_earlier_relay_marked_sent_are_deleted_not_published_again(
    each_database_url: str, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    """Relays before kit 1.19 kept what they published, with `sent_at` set (and one may still
    run during an upgrade): a relay of this kit deletes those rows with the batch they come in
    and publishes only what was never sent."""
    async with notes_database(each_database_url) as sessions:
        topic = await new_kafka_topic("notes")
        await _record_note(sessions, topic, "sent-before")
        async with sessions() as session, session.begin():
            await session.execute(outbox_events.update().values(sent_at=func.now()))
        await _record_note(sessions, topic, "new")
        async with running_producer(kafka_bootstrap) as producer:
            relay = OutboxRelay(sessions, producer)
            assert await relay.publish_pending_events() == 2  # taken: one published, one deleted
            assert await relay.publish_pending_events() == 0
        published = await read_topic(kafka_bootstrap, topic, expected=1)
        assert await count_rows(sessions, outbox_events) == 0
    assert [record.key for record in published] == [b"notes/new"]


async def test_rows_an_older_relay_is_publishing_are_waited_for_then_deleted_not_published(
    postgres_database_url: str, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    """During a rolling upgrade a relay of a kit before 1.19 may still run: it locks its batch
    (skipping locked rows, without the advisory lock), publishes it and marks it sent. A relay of
    this kit waits for those rows, then deletes them with its batch instead of publishing them
    a second time."""
    async with notes_database(postgres_database_url) as sessions:
        topic = await new_kafka_topic("notes")
        await _record_note(sessions, topic, "taken-by-the-older-relay")
        async with running_producer(kafka_bootstrap) as producer:
            async with sessions() as older, older.begin():
                await older.execute(
                    outbox_events.select()
                    .where(outbox_events.c.sent_at.is_(None))
                    .with_for_update(skip_locked=True)
                )
                relaying = asyncio.create_task(
                    OutboxRelay(sessions, producer).publish_pending_events()
                )
                await asyncio.wait([relaying], timeout=1)
                assert not relaying.done(), "the relay took rows another relay had locked"
                await older.execute(outbox_events.update().values(sent_at=func.now()))
            assert await relaying == 1  # taken, and deleted as sent
            assert await count_rows(sessions, outbox_events) == 0
            await _record_note(sessions, topic, "after")
            assert await OutboxRelay(sessions, producer).publish_pending_events() == 1
        published = await read_topic(kafka_bootstrap, topic, expected=1)
    assert [record.key for record in published] == [b"notes/after"]


class HeldBeforeSending(OutboxRelay):
    """A relay that has taken its batch and is slow to hand it to Kafka (a pause of its
    process, a slow broker connection) until `go` is set."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.took = asyncio.Event()
        self.go = asyncio.Event()

    async def _send(self, rows: Sequence[Any]) -> list[asyncio.Future[Any]]:
        self.took.set()
        await self.go.wait()
        return await super()._send(rows)


async def test_two_relays_on_one_database_publish_one_after_the_other_keeping_each_keys_order(
    postgres_database_url: str, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    """Every replica of a service runs a relay. While one publishes a batch, another must not
    publish the events after it: a key's later event would reach Kafka before its earlier one."""
    async with notes_database(postgres_database_url) as sessions:
        topic = await new_kafka_topic("notes")
        async with UnitOfWork(sessions) as uow:
            await outbox.record_many(
                uow.session,
                note_topic(topic),
                [(StringValue(value=f"v{n}"), f"notes/{n % 2}") for n in range(4)],
            )
            await uow.commit()
        async with running_producer(kafka_bootstrap) as producer:
            first = HeldBeforeSending(sessions, producer, batch_size=2)
            second = OutboxRelay(sessions, producer, batch_size=2)
            publishing_first = asyncio.create_task(first.publish_pending_events())
            await first.took.wait()
            publishing_second = asyncio.create_task(second.publish_pending_events())
            await asyncio.wait([publishing_second], timeout=2)
            assert not publishing_second.done(), "a second relay published while one was"
            first.go.set()
            assert (await publishing_first, await publishing_second) == (2, 2)
        published = await read_topic(kafka_bootstrap, topic, expected=4)
    envelopes = [event_envelope_pb2.EventEnvelope.FromString(r.value) for r in published]
    values = [StringValue.FromString(envelope.payload.value).value for envelope in envelopes]
    assert values == ["v0", "v1", "v2", "v3"]
