"""The forwarder: takes the pending activities to the store, oldest first, in large batches.

It runs beside the consumer, so ClickHouse inserts overlap the reading and applying of the next
records, and each insert carries up to `batch` activities whatever the consumer's transactions
held (the store's cost per insert is mostly fixed). Woken by each commit that staged
activities, it also looks every `idle_seconds`. The rows are removed once the store has them: a
crash in between forwards them again, and the store records each id once. On PostgreSQL several
instances forward side by side, each taking rows the others do not hold (SKIP LOCKED); while the
store cannot be reached the rows wait and the forwarder tries again.
"""

from __future__ import annotations

import asyncio
import logging

from knowledge_kit.aio import first_set
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..repository.pending import Pending, PendingActivities
from ..store import ActivityStore

log = logging.getLogger(__name__)


class Forwarder:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        store: ActivityStore,
        *,
        batch: int = 5_000,
        idle_seconds: float = 0.5,
        retry_seconds: float = 1.0,
    ) -> None:
        self._sessions = sessions
        self.store = store
        self._batch = batch
        self._idle_seconds = idle_seconds
        self._retry_seconds = retry_seconds
        self._arrived = asyncio.Event()
        # Activities this forwarder has handed to the store since it started.
        self.forwarded = 0

    def wake(self) -> None:
        """A commit staged activities: forward them now."""
        self._arrived.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Forward until `stop` is set (what is pending then waits for the next start)."""
        while not stop.is_set():
            self._arrived.clear()
            try:
                while await self.forward_once() and not stop.is_set():
                    pass
            except ConnectionError as unreachable:
                log.warning("activity store unreachable: %s", unreachable)
                await first_set(stop, seconds=self._retry_seconds)
                continue
            await first_set(stop, self._arrived, seconds=self._idle_seconds)

    async def forward_all(self) -> None:
        """Forward everything pending now (tests, and erasures before they delete)."""
        while await self.forward_once():
            pass

    async def forward_once(self) -> int:
        """One batch to the store; how many activities it held."""
        async with self._sessions() as session:
            if session.get_bind().dialect.name == "postgresql":
                async with session.begin():
                    pending = await PendingActivities(session).oldest(self._batch, lock=True)
                    if pending:
                        await self._record(pending)
                        await PendingActivities(session).remove([one.seq for one in pending])
                return len(pending)
            # SQLite: one writer at a time anyway; a read kept open across the store's insert
            # could not write afterwards, so the rows are read and removed in two transactions.
            async with session.begin():
                pending = await PendingActivities(session).oldest(self._batch)
            if not pending:
                return 0
            await self._record(pending)
            async with session.begin():
                await PendingActivities(session).remove_through(pending[-1].seq)
        return len(pending)

    async def _record(self, pending: list[Pending]) -> None:
        if pending:
            await self.store.record([one.activity for one in pending])
            self.forwarded += len(pending)
