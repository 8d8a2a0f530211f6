"""Wakes the open streams of a user when their inbox changes: at once for changes this instance
committed, and by polling the users' change numbers for changes other instances committed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from knowledge_kit.aio import first_set
from knowledge_kit.database import UnitOfWork
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..repository.changes import SqlChanges


class LiveChanges:
    """One per instance: the wake-up of every stream it serves."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], poll_seconds: float) -> None:
        self._sessions = sessions
        self._poll_seconds = poll_seconds
        self._watchers: dict[str, set[asyncio.Event]] = {}
        self._known: dict[str, int] = {}

    @contextmanager
    def watch(self, user: str) -> Iterator[asyncio.Event]:
        """An event set whenever `user`'s inbox may have changed (clear it before reading)."""
        woken = asyncio.Event()
        self._watchers.setdefault(user, set()).add(woken)
        try:
            yield woken
        finally:
            watchers = self._watchers.get(user, set())
            watchers.discard(woken)
            if not watchers:
                self._watchers.pop(user, None)
                self._known.pop(user, None)

    def changed(self, users: Iterable[str]) -> None:
        """This instance committed changes of `users`."""
        for user in users:
            for woken in self._watchers.get(user, ()):
                woken.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: every `poll_seconds`, wake the streams whose user has changes
        numbered past what this instance last saw (one query for all watched users)."""
        while not stop.is_set():
            await self.poll()
            await first_set(stop, seconds=self._poll_seconds)

    async def poll(self) -> None:
        watched = list(self._watchers)
        if not watched:
            return
        async with UnitOfWork(self._sessions) as work:
            latest = await SqlChanges(work.session).latest(watched)
        moved = [user for user, last in latest.items() if self._known.get(user) != last]
        for user, last in latest.items():
            self._known[user] = last
        self.changed(moved)
