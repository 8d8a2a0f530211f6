"""Events a use case records with its state change reach Kafka through the service's relay."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer
from knowledge.common.v1.event_envelope_pb2 import EventEnvelope
from knowledge.notifications.v1 import notification_pb2
from knowledge.notifications.v1.events_pb2 import NotificationDelivered
from knowledge.topics import NOTIFICATIONS_DELIVERIES_V1
from knowledge_kit.database import UnitOfWork
from knowledge_kit.events import Outbox, relaying_outbox
from knowledge_kit.testing import unique_name
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

RECEIVE_LIMIT_SECONDS = 60
SERVICE = "ms_notifications"


async def test_an_event_committed_with_a_change_is_published_keyed_by_its_subject(
    sessions: async_sessionmaker[AsyncSession],
    kafka_bootstrap: str,
    new_kafka_topic: Callable[..., Awaitable[str]],
) -> None:
    name = await new_kafka_topic("deliveries")
    # notifications.deliveries.v1 under a name of this test's own.
    topic = dataclasses.replace(NOTIFICATIONS_DELIVERIES_V1, name=name, partitions=1)
    recipient = "users/ada"
    delivered = NotificationDelivered(
        notification=f"{recipient}/notifications/{'a' * 32}",
        recipient=recipient,
        category=notification_pb2.NOTIFICATION_CATEGORY_DOCUMENT,
        channel=notification_pb2.NOTIFICATION_CHANNEL_IN_APP,
        cause_event_id="e1",
    )
    async with UnitOfWork(sessions) as work:
        await Outbox(SERVICE).record(work.session, topic, delivered, subject=recipient)
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
    received = NotificationDelivered()
    assert envelope.payload.Unpack(received)
    assert (record.key, envelope.source, envelope.subject) == (
        recipient.encode(),
        SERVICE,
        recipient,
    )
    assert received == delivered
