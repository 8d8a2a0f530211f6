"""Sign-in throttles in the `sign_in_throttles` table."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.throttling import SignInThrottle
from .tables import sign_in_throttles
from .upsert import upsert


class SqlSignInThrottleRepository:
    """`get` locks the name's row, so concurrent failures are all counted."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, subject: str) -> SignInThrottle | None:
        statement = (
            select(sign_in_throttles)
            .where(sign_in_throttles.c.subject == subject)
            .with_for_update()
        )
        row = (await self._session.execute(statement)).one_or_none()
        if row is None:
            return None
        return SignInThrottle(
            subject=row.subject,
            failure_count=row.failure_count,
            first_failure_time=row.first_failure_time,
            locked_until=row.locked_until,
        )

    async def save(self, throttle: SignInThrottle) -> None:
        await upsert(
            self._session,
            sign_in_throttles,
            {
                "subject": throttle.subject,
                "failure_count": throttle.failure_count,
                "first_failure_time": throttle.first_failure_time,
                "locked_until": throttle.locked_until,
            },
        )
