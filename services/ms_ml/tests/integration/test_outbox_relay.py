"""Events a use case records with its state change reach Kafka through the service's relay."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer
from knowledge.common.v1.event_envelope_pb2 import EventEnvelope
from knowledge.topics import Topic
from knowledge_kit.events import Outbox, relaying_outbox
from knowledge_kit.testing import unique_name
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_ml.example_api.v1 import example_pb2
from ms_ml.repository.notes import SqlNoteUnitOfWork

RECEIVE_LIMIT_SECONDS = 60
SERVICE = "ms_ml"


async def test_an_event_committed_with_a_change_is_published_keyed_by_its_subject(
    sessions: async_sessionmaker[AsyncSession],
    kafka_bootstrap: str,
    new_kafka_topic: Callable[..., Awaitable[str]],
) -> None:
    name = await new_kafka_topic("notes")
    # A stand-in topic carrying the example's Note; real topics come from knowledge.topics.
    topic = Topic(
        name=name,
        owner="ms_ml",
        description="notes, for this test",
        key="note resource name",
        partitions=1,
        retention_hours=1,
        event_types=(example_pb2.Note.DESCRIPTOR.full_name,),
    )
    note = example_pb2.Note(name="notes/" + "a" * 32, title="Plan")
    async with SqlNoteUnitOfWork(sessions) as work:
        await Outbox(SERVICE).record(work.session, topic, note, subject=note.name)
        await work.commit()

    consumer = AIOKafkaConsumer(
        name,
        bootstrap_servers=kafka_bootstrap,
        group_id=unique_name("outbox-test"),
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        async with relaying_outbox(sessions, kafka_bootstrap, client_id=SERVICE):
            record = await asyncio.wait_for(consumer.getone(), RECEIVE_LIMIT_SECONDS)
    finally:
        await consumer.stop()

    envelope = EventEnvelope.FromString(record.value)
    received = example_pb2.Note()
    assert envelope.payload.Unpack(received)
    assert (record.key, envelope.source, envelope.subject) == (
        note.name.encode(),
        "ms_ml",
        note.name,
    )
    assert received == note
