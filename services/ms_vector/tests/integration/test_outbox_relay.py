"""Events a use case records with its state change reach Kafka through the service's relay."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer
from knowledge.common.v1.event_envelope_pb2 import EventEnvelope
from knowledge.topics import VECTOR_INDEX_V1
from knowledge.vector.v1.events_pb2 import DocumentIndexed
from knowledge_kit.database import UnitOfWork
from knowledge_kit.events import Outbox, relaying_outbox
from knowledge_kit.testing import unique_name
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

RECEIVE_LIMIT_SECONDS = 60
SERVICE = "ms_vector"


async def test_an_event_committed_with_a_change_is_published_keyed_by_its_subject(
    sessions: async_sessionmaker[AsyncSession],
    kafka_bootstrap: str,
    new_kafka_topic: Callable[..., Awaitable[str]],
) -> None:
    name = await new_kafka_topic("vector-index")
    # vector.index.v1 under a name of this test's own.
    topic = dataclasses.replace(VECTOR_INDEX_V1, name=name, partitions=1)
    document = "spaces/handbook/documents/onboarding"
    indexed = DocumentIndexed(document=document, revision=3, chunk_count=2)
    async with UnitOfWork(sessions) as work:
        await Outbox(SERVICE).record(work.session, topic, indexed, subject=document)
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
    received = DocumentIndexed()
    assert envelope.payload.Unpack(received)
    assert (record.key, envelope.source, envelope.subject) == (
        document.encode(),
        "ms_vector",
        document,
    )
    assert received == indexed
