"""Consumed topics through a real Kafka broker into inboxes and open streams: a member added is
told in their open stream, edits of a document are grouped, the same event delivered twice tells
no one twice, and a poison record goes to the dead-letter topic while the records after it are
still applied."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer
from google.protobuf.message import Message
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.common.v1.event_envelope_pb2 import EventEnvelope
from knowledge.knowledge.v1 import space_pb2
from knowledge.knowledge.v1.events_pb2 import DocumentUpdated, SpaceCreated, SpaceMemberAdded
from knowledge_kit.events import EventConsumer, Outbox, create_producer
from knowledge_kit.events.envelope import kafka_headers, new_envelope
from knowledge_kit.testing import unique_name
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_notifications.main import NotificationParts
from ms_notifications.repository.notifications import InboxFilter
from ms_notifications.server.events import event_handlers
from ms_notifications.service.stream import Changed, StreamItem

SPACE = "spaces/handbook"
DOCUMENT = "spaces/handbook/documents/onboarding"
ADA, BOB, CY = "users/ada", "users/bob", "users/cy"
LIMIT_SECONDS = 60


async def titles(parts: NotificationParts, user: str) -> list[str]:
    listed = await parts.inbox.list_notifications(user, user, InboxFilter(), 50, "")
    return [one.title for one in listed.page.items]


async def until(condition: Callable[[], Awaitable[bool]]) -> None:
    """Wait until `condition` holds (polling: the consumer applies events in another task)."""
    async with asyncio.timeout(LIMIT_SECONDS):
        while True:
            if await condition():
                return
            await asyncio.sleep(0.1)


def edit(by: str, revision: int) -> DocumentUpdated:
    return DocumentUpdated(
        document=DOCUMENT,
        space=SPACE,
        title="Onboarding",
        revision=revision,
        author=Actor(name=by, display_name=by.removeprefix("users/").capitalize()),
    )


async def test_events_tell_the_right_people_once_and_a_poison_record_is_set_aside(
    parts: NotificationParts,
    sessions: async_sessionmaker[AsyncSession],
    kafka_bootstrap: str,
    new_kafka_topic: Callable[..., Awaitable[str]],
) -> None:
    spaces_topic = await new_kafka_topic("spaces", partitions=1)
    documents_topic = await new_kafka_topic("documents", partitions=1)
    dead_letter = await new_kafka_topic("deadletter", partitions=1)
    producer = create_producer(kafka_bootstrap)
    await producer.start()

    async def send(topic: str, event: Message | EventEnvelope, subject: str) -> EventEnvelope:
        envelope = (
            event
            if isinstance(event, EventEnvelope)
            else new_envelope(event, source="ms_knowledge", subject=subject)
        )
        await producer.send_and_wait(
            topic,
            envelope.SerializeToString(),
            key=subject.encode(),
            headers=kafka_headers(envelope),
        )
        return envelope

    consumer = EventConsumer(
        service="ms_notifications",
        bootstrap=kafka_bootstrap,
        topics=[spaces_topic, documents_topic],
        sessions=sessions,
        handlers=event_handlers(parts.notifier, Outbox("ms_notifications")),
        group_id=unique_name("ms-notifications-test"),
        max_attempts=1,
        dead_letter=dead_letter,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(consumer.run(stop))
    stream = parts.stream.stream(BOB, BOB, "")
    try:
        await asyncio.wait_for(anext(stream), LIMIT_SECONDS)  # the unread count
        await send(spaces_topic, SpaceCreated(space=SPACE, creator=Actor(name=ADA)), SPACE)
        for user in (BOB, CY):
            added = SpaceMemberAdded(
                space=SPACE,
                user=user,
                role=space_pb2.SPACE_ROLE_EDITOR,
                added_by=Actor(name=ADA, display_name="Ada"),
                space_display_name="Handbook",
            )
            await send(spaces_topic, added, SPACE)
        told: StreamItem = await asyncio.wait_for(anext(stream), LIMIT_SECONDS)
        assert isinstance(told, Changed)
        assert told.notification.title == "Ada added you to Handbook as editor"
        # Two topics keep no order between them: Cy must be a member before the edits come.
        await until(lambda: _has(parts, CY, "Ada added you to Handbook as editor"))
        first = await send(documents_topic, edit(ADA, 2), DOCUMENT)
        await producer.send_and_wait(documents_topic, b"not an envelope", key=b"poison")
        await send(documents_topic, edit(BOB, 3), DOCUMENT)
        await send(documents_topic, first, DOCUMENT)  # Kafka delivering it again
        await until(lambda: _has(parts, CY, "Bob and 1 other edited Onboarding"))
        assert await titles(parts, CY) == [
            "Bob and 1 other edited Onboarding",
            "Ada added you to Handbook as editor",
        ]
        assert await titles(parts, BOB) == [
            "Ada edited Onboarding",
            "Ada added you to Handbook as editor",
        ]
        assert await titles(parts, ADA) == ["Bob edited Onboarding"]  # not her own edit
        assert await _dead_letters(kafka_bootstrap, dead_letter) == [b"poison"]
    finally:
        await stream.aclose()
        stop.set()
        await asyncio.gather(running, return_exceptions=True)
        await producer.stop()


async def _has(parts: NotificationParts, user: str, title: str) -> bool:
    return title in await titles(parts, user)


async def _dead_letters(bootstrap: str, topic: str) -> list[bytes]:
    reader = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await reader.start()
    try:
        record = await asyncio.wait_for(reader.getone(), LIMIT_SECONDS)
        return [record.key]
    finally:
        await reader.stop()
