"""A poison message is parked in the dead-letter topic and the consumer carries on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from google.protobuf.wrappers_pb2 import Int64Value, StringValue

from knowledge_kit.events import ConsumedEvent, new_envelope

from .events_support import (
    applied,
    consume,
    count_rows,
    notes_database,
    read_topic,
    running_producer,
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
            records=4,
            dead_letter=dead_letter,
        )

        assert attempts == ["poison", "poison", "poison", "good"]
        assert await count_rows(sessions, applied) == 1
        parked = await read_topic(kafka_bootstrap, dead_letter, expected=2)
        reasons = [dict(record.headers)["dead-letter-reason"].decode() for record in parked]
        assert "not a knowledge.common.v1.EventEnvelope" in reasons[0]
        assert reasons[1].startswith("KeyError after 3 attempts")
        assert parked[0].value == b"\xff not an envelope"
        assert dict(parked[1].headers)["dead-letter-topic"] == topic.encode()
