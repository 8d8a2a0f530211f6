"""Snoozed notifications coming back: when a snooze ends the notification returns to the top of
the inbox, unread and unseen, as a numbered change, so every open stream of the user gets it
and the new counts (and a stream resumed later replays it).

One check per instance; on PostgreSQL the instances share the work, each taking the ended
snoozes the others do not hold, so each return is numbered once.
"""

from __future__ import annotations

import asyncio

import structlog
from knowledge_kit.aio import first_set
from knowledge_kit.api import Clock, utc_now
from knowledge_kit.database import UnitOfWork, after_commit
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.notifications import ChangeKind
from ..repository.work import NotificationWork
from .live import LiveChanges

_log = structlog.get_logger("ms_notifications.snoozes")

BATCH = 200


class SnoozeCheck:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        live: LiveChanges,
        poll_seconds: float,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._live = live
        self._poll_seconds = poll_seconds
        self._clock = clock

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: every `poll_seconds`, bring back what is due. A round that fails (the
        database unreachable) is logged and tried again."""
        while not stop.is_set():
            try:
                woken = await self.run_once()
            except Exception:
                _log.exception("snooze_check_failed")
                woken = 0
            if woken < BATCH:
                await first_set(stop, seconds=self._poll_seconds)

    async def run_once(self) -> int:
        """Bring back up to BATCH notifications whose snooze has ended; how many."""
        now = self._clock()
        async with UnitOfWork(self._sessions) as uow:
            work = NotificationWork(uow.session, self._outbox)
            ended = await work.notifications.snoozes_ended(now, BATCH)
            if not ended:
                return 0
            back = await work.notifications.bring_back(ended, now)
            await work.changes.record(
                [(one.recipient, one.id, ChangeKind.UPDATED) for one in back], now
            )
            users = sorted({one.recipient for one in back})
            after_commit(uow.session, lambda: self._live.changed(users))
            await uow.commit()
        return len(back)
