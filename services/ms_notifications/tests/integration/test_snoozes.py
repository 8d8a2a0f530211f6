"""A snoozed notification comes back when its snooze ends: at the top of the inbox, unread, told
to every open stream with the new counts, and to a stream resumed later; each return is told
once, however many instances check."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta

from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1.events_pb2 import DocumentCreated
from knowledge_kit.api import utc_now
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_notifications.config import Settings
from ms_notifications.domain.notifications import ChangeKind
from ms_notifications.main import NotificationParts, notification_parts
from ms_notifications.repository.notifications import InboxFilter
from ms_notifications.service.inbox import Action
from ms_notifications.service.stream import Changed, Opened, Recounted, StreamItem

from ..support import Events, Spaces

ADA, BOB = "users/ada", "users/bob"
SPACE = "spaces/handbook"
LIMIT_SECONDS = 30


class Clock:
    """The time the service reads, moved forward by the test (a snooze lasts hours)."""

    def __init__(self) -> None:
        self.now = utc_now()

    def __call__(self) -> datetime:
        return self.now


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


def timed_parts(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock
) -> NotificationParts:
    return notification_parts(settings, sessions, Outbox("ms_notifications"), clock)


async def test_a_snooze_ending_brings_the_notification_back_to_open_streams_with_the_counts(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], events: Events, spaces: Spaces
) -> None:
    clock = Clock()
    parts = timed_parts(settings, sessions, clock)
    await spaces.add(SPACE, ADA, BOB)
    for number in (1, 2):
        await events.apply(created(number))
    listed = await parts.inbox.list_notifications(BOB, BOB, InboxFilter(), 10, "")
    first = next(one for one in listed.page.items if one.title == "Ada created Document 1")
    await parts.inbox.mark_read(BOB, first.name)
    stream = parts.stream.stream(BOB, BOB, "")
    opened = await next_item(stream)
    assert isinstance(opened, Opened) and opened.unread == 1

    until = clock.now + timedelta(hours=1)
    await parts.inbox.batch_update(BOB, BOB, [first.name], int(Action.SNOOZE), until)
    snoozed = await next_item(stream)
    assert isinstance(snoozed, Changed) and snoozed.notification.snooze_until == until
    counted = await next_item(stream)
    assert isinstance(counted, Recounted) and counted.counts.unread == 1

    stop = asyncio.Event()
    checking = asyncio.create_task(parts.snoozes.run(stop))
    try:
        clock.now = until + timedelta(seconds=1)
        back = await next_item(stream)
        assert isinstance(back, Changed) and back.kind is ChangeKind.UPDATED
        assert back.notification.id == first.id
        assert back.notification.snooze_until is None and back.notification.read_time is None
        recounted = await next_item(stream)
        assert isinstance(recounted, Recounted)
        assert (recounted.counts.unread, recounted.counts.unseen) == (2, 2)
    finally:
        stop.set()
        await checking
        await stream.aclose()

    assert await parts.snoozes.run_once() == 0  # told once
    listed = await parts.inbox.list_notifications(BOB, BOB, InboxFilter(), 10, "")
    assert [one.title for one in listed.page.items] == [
        "Ada created Document 1",
        "Ada created Document 2",
    ]
    resumed = parts.stream.stream(BOB, BOB, counted.cursor)
    await next_item(resumed)
    replayed = await next_item(resumed)
    assert isinstance(replayed, Changed) and replayed.notification.id == first.id
    await resumed.aclose()


async def test_instances_checking_together_bring_each_notification_back_once(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], events: Events, spaces: Spaces
) -> None:
    clock = Clock()
    instances = [timed_parts(settings, sessions, clock) for _ in range(2)]
    await spaces.add(SPACE, ADA, BOB)
    for number in range(30):
        await events.apply(created(number))
    listed = await instances[0].inbox.list_notifications(BOB, BOB, InboxFilter(), 50, "")
    names = [one.name for one in listed.page.items]
    until = clock.now + timedelta(minutes=5)
    await instances[0].inbox.batch_update(BOB, BOB, names, int(Action.SNOOZE), until)
    assert (await instances[0].inbox.counts(BOB, BOB)).unread == 0
    clock.now = until
    woken = await asyncio.gather(*(one.snoozes.run_once() for one in instances))
    assert sum(woken) == 30
    stream = instances[1].stream.stream(BOB, BOB, "")
    opened = await next_item(stream)
    assert isinstance(opened, Opened) and opened.unread == 30
    await stream.aclose()
