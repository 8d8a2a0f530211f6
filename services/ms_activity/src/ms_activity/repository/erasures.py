"""The erasures asked for, on the caller's session."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.erasures import Erasure, ErasureState
from .tables import erasures

MAX_ERROR_CHARS = 1000


class SqlErasures:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, erasure: Erasure) -> None:
        await self._session.execute(
            insert(erasures).values(
                id=erasure.id,
                user=erasure.user,
                state=int(erasure.state),
                erased_count=erasure.erased_count,
                error=erasure.error,
                requested_by=erasure.requested_by,
                requested_by_display_name=erasure.requested_by_display_name,
                create_time=erasure.create_time,
                end_time=erasure.end_time,
            )
        )

    async def get(self, user: str, erasure_id: str) -> Erasure | None:
        row = (
            await self._session.execute(
                select(erasures).where(erasures.c.id == erasure_id, erasures.c.user == user)
            )
        ).first()
        return None if row is None else _erasure(row._mapping)

    async def running(self, limit: int) -> list[Erasure]:
        """The oldest erasures still running (asked for, or cut short by a restart)."""
        rows = await self._session.execute(
            select(erasures)
            .where(erasures.c.state == int(ErasureState.RUNNING))
            .order_by(erasures.c.create_time, erasures.c.id)
            .limit(limit)
        )
        return [_erasure(row._mapping) for row in rows]

    async def finish(
        self, erasure_id: str, state: ErasureState, erased_count: int, error: str, end: datetime
    ) -> bool:
        """Record how a running erasure ended; False when it had ended already (another
        instance finished it first)."""
        result = await self._session.execute(
            update(erasures)
            .where(erasures.c.id == erasure_id, erasures.c.state == int(ErasureState.RUNNING))
            .values(
                state=int(state),
                erased_count=erased_count,
                error=error[:MAX_ERROR_CHARS],
                end_time=end,
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def _erasure(row: Any) -> Erasure:
    return Erasure(
        id=row["id"],
        user=row["user"],
        state=ErasureState(row["state"]),
        erased_count=row["erased_count"],
        error=row["error"],
        requested_by=row["requested_by"],
        requested_by_display_name=row["requested_by_display_name"],
        create_time=_aware(row["create_time"]),
        end_time=None if row["end_time"] is None else _aware(row["end_time"]),
    )


def _aware(value: datetime) -> datetime:
    """SQLite gives naive datetimes back: they were written in UTC."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
