"""StreamNotifications: the unread count when a stream opens, then each change of the user's
inbox in the order it was numbered, each with the cursor that resumes right after it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from dataclasses import dataclass

from knowledge_kit.api import Clock, utc_now
from knowledge_kit.database import UnitOfWork
from knowledge_kit.errors import FieldViolation, ValidationError
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.notifications import ChangeKind, Counts, Notification
from ..repository.work import NotificationWork
from .access import own_parent
from .live import LiveChanges

BATCH = 200
MAX_CURSOR_DIGITS = 18
# How many of an instance's streams read the database at once. One event can wake thousands
# (a space's every member): they wait their turn here rather than for a pooled connection, whose
# wait times out, and leave connections to the RPCs, the consumer and the delivery worker.
CONCURRENT_READS = 4


@dataclass(frozen=True, slots=True)
class Opened:
    unread: int
    cursor: str


@dataclass(frozen=True, slots=True)
class Changed:
    notification: Notification
    kind: ChangeKind
    cursor: str


@dataclass(frozen=True, slots=True)
class Recounted:
    counts: Counts
    cursor: str


StreamItem = Opened | Changed | Recounted


class NotificationStream:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        live: LiveChanges,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._live = live
        self._clock = clock
        self._reads = asyncio.Semaphore(CONCURRENT_READS)

    async def stream(
        self, caller: str, parent: str, resume_after: str
    ) -> AsyncGenerator[StreamItem, None]:
        """Never ends by itself: the caller closing the stream (or the server stopping) does."""
        own_parent(caller, parent)
        cursor = _cursor(resume_after)
        with self._live.watch(parent) as woken:
            async with self._reads, UnitOfWork(self._sessions) as uow:
                work = NotificationWork(uow.session, self._outbox)
                latest = (await work.changes.latest([parent])).get(parent, 0)
                counts = await work.notifications.counts(parent, self._clock())
            if cursor is not None and cursor > latest:
                raise ValidationError(
                    f"resume_after {cursor} is past the stream's last message",
                    [FieldViolation("resume_after", "must be a cursor this stream returned")],
                )
            position = latest if cursor is None else cursor
            yield Opened(counts.unread, str(position))
            while True:
                woken.clear()
                async with self._reads, UnitOfWork(self._sessions) as uow:
                    work = NotificationWork(uow.session, self._outbox)
                    changes = await work.changes.after(parent, position, BATCH)
                    changed = await work.notifications.get_many(
                        parent, [change.notification_id for change in changes]
                    )
                    counts = await work.notifications.counts(parent, self._clock())
                for change in changes:
                    one = changed.get(change.notification_id)
                    if one is not None:
                        yield Changed(one, change.kind, str(change.sequence))
                if changes:
                    position = changes[-1].sequence
                    yield Recounted(counts, str(position))
                if len(changes) < BATCH:
                    await woken.wait()


def _cursor(resume_after: str) -> int | None:
    if not resume_after:
        return None
    if (
        not resume_after.isascii()
        or not resume_after.isdigit()
        or (len(resume_after) > MAX_CURSOR_DIGITS)
    ):
        raise ValidationError(
            "resume_after is not a cursor of this stream",
            [FieldViolation("resume_after", "must be a cursor a previous stream returned")],
        )
    return int(resume_after)
