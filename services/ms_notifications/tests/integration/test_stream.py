"""StreamNotifications' use case: the unread count first, then every change of the user's inbox
in order with a cursor; a stream resumed after a cursor replays what it missed, and a change
committed by another instance reaches the streams this instance serves."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1.events_pb2 import DocumentCreated
from knowledge_kit.errors import ValidationError
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_notifications.config import Settings
from ms_notifications.domain.notifications import ChangeKind
from ms_notifications.main import NotificationParts, notification_parts
from ms_notifications.service.stream import Changed, Opened, Recounted, StreamItem

from ..support import Events, Spaces

ADA, BOB = "users/ada", "users/bob"
SPACE = "spaces/handbook"
LIMIT_SECONDS = 30


def created(number: int) -> DocumentCreated:
    return DocumentCreated(
        document=f"{SPACE}/documents/d{number}",
        space=SPACE,
        title=f"Document {number}",
        revision=1,
        author=Actor(name=ADA, display_name="Ada"),
    )


async def next_item(stream: AsyncIterator[StreamItem]) -> StreamItem:
    return await asyncio.wait_for(anext(stream), LIMIT_SECONDS)


async def test_a_stream_tells_new_and_changed_notifications_with_the_counts(
    parts: NotificationParts, events: Events, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA, BOB)
    await events.apply(created(1))
    stream = parts.stream.stream(BOB, BOB, "")
    opened = await next_item(stream)
    assert isinstance(opened, Opened) and opened.unread == 1
    await events.apply(created(2))
    new = await next_item(stream)
    assert isinstance(new, Changed) and new.kind is ChangeKind.CREATED
    assert new.notification.title == "Ada created Document 2"
    counts = await next_item(stream)
    assert isinstance(counts, Recounted) and counts.counts.unread == 2
    await parts.inbox.mark_read(BOB, new.notification.name)
    read = await next_item(stream)
    assert isinstance(read, Changed) and read.kind is ChangeKind.UPDATED
    assert read.notification.read_time is not None
    recounted = await next_item(stream)
    assert isinstance(recounted, Recounted) and recounted.counts.unread == 1
    assert int(opened.cursor) < int(new.cursor) < int(read.cursor) == int(recounted.cursor)
    await stream.aclose()


async def test_a_resumed_stream_replays_what_it_missed_once_and_in_order(
    parts: NotificationParts, events: Events, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA, BOB)
    first = parts.stream.stream(BOB, BOB, "")
    await next_item(first)
    await events.apply(created(1))
    seen = await next_item(first)
    await first.aclose()  # the tab lost its connection
    for number in (2, 3):
        await events.apply(created(number))
    resumed = parts.stream.stream(BOB, BOB, seen.cursor)
    opened = await next_item(resumed)
    assert isinstance(opened, Opened) and opened.unread == 3
    replayed = [await next_item(resumed) for _ in range(3)]
    titles = [item.notification.title for item in replayed if isinstance(item, Changed)]
    assert titles == ["Ada created Document 2", "Ada created Document 3"]
    assert isinstance(replayed[-1], Recounted) and replayed[-1].counts.unread == 3
    await resumed.aclose()


async def test_a_change_committed_by_another_instance_reaches_the_stream(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], events: Events, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA, BOB)
    other = notification_parts(settings, sessions, Outbox("ms_notifications"))
    stop = asyncio.Event()
    polling = asyncio.create_task(other.live.run(stop))
    try:
        stream = other.stream.stream(BOB, BOB, "")
        await next_item(stream)
        await events.apply(created(1))  # through the first instance's handlers
        new = await next_item(stream)
        assert isinstance(new, Changed) and new.notification.title == "Ada created Document 1"
        await stream.aclose()
    finally:
        stop.set()
        await polling


async def test_a_cursor_this_stream_never_gave_is_refused_naming_it(
    parts: NotificationParts,
) -> None:
    for cursor in ("not-a-cursor", "99"):
        stream = parts.stream.stream(BOB, BOB, cursor)
        with pytest.raises(ValidationError) as refused:
            await next_item(stream)
        assert [one.field for one in refused.value.violations] == ["resume_after"]
