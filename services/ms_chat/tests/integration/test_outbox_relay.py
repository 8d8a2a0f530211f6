"""Events a use case records with its state change reach Kafka through the service's relay."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer
from knowledge.chat.v1.events_pb2 import ConversationCreated
from knowledge.common.v1.event_envelope_pb2 import EventEnvelope
from knowledge.topics import Topic
from knowledge_kit.database import UnitOfWork
from knowledge_kit.events import Outbox, relaying_outbox
from knowledge_kit.testing import unique_name
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

RECEIVE_LIMIT_SECONDS = 60
SERVICE = "ms_chat"


async def test_an_event_committed_with_a_change_is_published_keyed_by_its_subject(
    sessions: async_sessionmaker[AsyncSession],
    kafka_bootstrap: str,
    new_kafka_topic: Callable[..., Awaitable[str]],
) -> None:
    name = await new_kafka_topic("conversations")
    # A topic of this test's own, carrying what chat.conversations.v1 carries.
    topic = Topic(
        name=name,
        owner="ms_chat",
        description="conversations, for this test",
        key="conversation resource name",
        partitions=1,
        retention_hours=1,
        event_types=(ConversationCreated.DESCRIPTOR.full_name,),
    )
    created = ConversationCreated(
        conversation="users/ada/conversations/" + "a" * 32, user="users/ada", title="Plan"
    )
    async with UnitOfWork(sessions) as work:
        await Outbox(SERVICE).record(work.session, topic, created, subject=created.conversation)
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
    received = ConversationCreated()
    assert envelope.payload.Unpack(received)
    assert (record.key, envelope.source, envelope.subject) == (
        created.conversation.encode(),
        "ms_chat",
        created.conversation,
    )
    assert received == created
