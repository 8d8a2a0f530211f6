"""What each user recorded in the current minute, counted in the SQL database every instance
shares: one conditional upsert takes a batch's share, or nothing when the minute has too few
left.

`INSERT ... ON CONFLICT DO UPDATE ... WHERE recorded + n <= limit RETURNING recorded` holds under
concurrency on both backends: SQLite writers take turns on the database lock; on PostgreSQL a
conflicting insert waits for the row's concurrent writer and checks the condition on its commit.
No row returned means the condition failed and nothing was counted.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from knowledge_kit.database import UnitOfWork
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.rate_limit import RecordLimit
from .tables import record_quotas


class RecordQuotas:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], limit: RecordLimit) -> None:
        self._sessions = sessions
        self._limit = limit
        # The window this instance last removed older counts before (once per window).
        self._pruned = -1

    async def take(self, user: str, count: int, now: datetime) -> float:
        """0 when `user` may record `count` more activities now (and they are counted); else the
        seconds until they may (infinite for more than a minute allows)."""
        if count > self._limit.limit:
            return math.inf
        window = self._limit.window_of(now)
        async with UnitOfWork(self._sessions) as uow:
            taken = await self._count(uow.session, user, window, count)
            if window != self._pruned:
                await uow.session.execute(
                    delete(record_quotas).where(record_quotas.c.window_start < window)
                )
            await uow.commit()
        self._pruned = window
        return 0.0 if taken else self._limit.wait(now, count)

    async def _count(self, session: AsyncSession, user: str, window: int, count: int) -> bool:
        insert = _insert(session).values(actor=user, window_start=window, recorded=count)
        total = record_quotas.c.recorded + insert.excluded.recorded
        statement = insert.on_conflict_do_update(
            index_elements=[record_quotas.c.actor, record_quotas.c.window_start],
            set_={"recorded": total},
            where=total <= self._limit.limit,
        ).returning(record_quotas.c.recorded)
        return (await session.execute(statement)).first() is not None


def _insert(session: AsyncSession) -> Any:
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(record_quotas)
