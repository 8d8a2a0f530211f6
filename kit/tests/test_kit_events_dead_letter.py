"""A poison message is parked in the dead-letter topic and the consumer carries on."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from google.protobuf.wrappers_pb2 import Int64Value, StringValue
from sqlalchemy.exc import OperationalError

from knowledge_kit.events import ConsumedEvent, EventConsumer, new_envelope
from knowledge_kit.testing import unique_name

from .events_support import (
    applied,
    consume,
    count_rows,
    notes_database,
    read_topic,
    running_producer,
    topic_size,
)

NewTopic = Callable[..., Awaitable[str]]


async def test_poison_messages_go_to_the_dead_letter_topic_and_later_events_still_apply(
    sqlite_database_url: str, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    async with notes_database(sqlite_database_url) as sessions:
        topic = await new_kafka_topic("notes")
        dead_letter = await new_kafka_topic("deadletter")

        async with running_producer(kafka_bootstrap) as producer:
            await producer.send_and_wait(topic, b"\xff not an envelope", key=b"notes/garbage")
            for body in ("poison", "good"):
                envelope = new_envelope(
                    StringValue(value=body), source="ms_test", subject=f"notes/{body}"
                )
                await producer.send_and_wait(topic, envelope.SerializeToString(), key=b"k")
            ignored = new_envelope(Int64Value(value=1), source="ms_test", subject="notes/other")
            await producer.send_and_wait(topic, ignored.SerializeToString(), key=b"k")
            # A StringValue whose text is not UTF-8: the envelope reads, its payload does not.
            garbled = new_envelope(StringValue(value="x"), source="ms_test", subject="notes/x")
            garbled.payload.value = b"\x0a\x01\xff"
            await producer.send_and_wait(topic, garbled.SerializeToString(), key=b"k")
            after = new_envelope(StringValue(value="after"), source="ms_test", subject="notes/a")
            await producer.send_and_wait(topic, after.SerializeToString(), key=b"k")

        attempts: list[str] = []

        async def apply(event: ConsumedEvent) -> None:
            attempts.append(event.payload.value)
            if event.payload.value == "poison":
                raise KeyError("note 42 is missing")
            await event.session.execute(applied.insert().values(body=event.payload.value))

        await consume(
            kafka_bootstrap,
            topic,
            sessions,
            {StringValue: apply},
            records=6,
            dead_letter=dead_letter,
        )

        assert attempts == ["poison", "poison", "poison", "good", "after"]
        assert await count_rows(sessions, applied) == 2
        # Unreadable records are parked as their batch is read, before its events are applied.
        parked = {
            dict(record.headers)["dead-letter-reason"].decode().split(":")[0]: record
            for record in await read_topic(kafka_bootstrap, dead_letter, expected=3)
        }
        assert sorted(parked) == [
            "KeyError after 3 attempts",
            "payload is not a valid google.protobuf.StringValue",
            "value is not a knowledge.common.v1.EventEnvelope",
        ]
        assert parked["value is not a knowledge.common.v1.EventEnvelope"].value == (
            b"\xff not an envelope"
        )
        garbled_parked = parked["payload is not a valid google.protobuf.StringValue"]
        assert garbled_parked.value == garbled.SerializeToString()
        poison = parked["KeyError after 3 attempts"]
        assert dict(poison.headers)["dead-letter-topic"] == topic.encode()


async def test_a_database_outage_stops_the_consumer_instead_of_parking_good_events(
    sqlite_database_url: str, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    topic = await new_kafka_topic("notes")
    dead_letter = await new_kafka_topic("deadletter")
    async with running_producer(kafka_bootstrap) as producer:
        envelope = new_envelope(StringValue(value="good"), source="ms_test", subject="notes/1")
        await producer.send_and_wait(topic, envelope.SerializeToString(), key=b"notes/1")

    async def apply(event: ConsumedEvent) -> None:
        raise OperationalError("INSERT INTO notes", {}, ConnectionRefusedError("db is down"))

    async with notes_database(sqlite_database_url) as sessions:
        consumer = EventConsumer(
            service="ms_test",
            group_id=unique_name("group"),
            bootstrap=kafka_bootstrap,
            topics=[topic],
            sessions=sessions,
            handlers={StringValue: apply},
            dead_letter=dead_letter,
        )
        with pytest.raises(OperationalError):
            async with asyncio.timeout(30):
                await consumer.run(asyncio.Event())
    assert consumer.records_handled == 0
    assert await topic_size(kafka_bootstrap, dead_letter) == 0
