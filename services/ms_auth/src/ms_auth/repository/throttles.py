"""Sign-in throttles in the `sign_in_throttles` table."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.throttling import SignInThrottle
from .conditional import changed_one_row
from .tables import sign_in_throttles
from .upsert import insert_unless_present


class SqlSignInThrottleRepository:
    """`replace` is one conditional statement (see `conditional`), never a read-then-write."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, subject: str) -> SignInThrottle | None:
        statement = select(sign_in_throttles).where(sign_in_throttles.c.subject == subject)
        row = (await self._session.execute(statement)).one_or_none()
        if row is None:
            return None
        return SignInThrottle(
            subject=row.subject,
            failure_count=row.failure_count,
            first_failure_time=row.first_failure_time,
            locked_until=row.locked_until,
        )

    async def replace(self, current: SignInThrottle | None, new: SignInThrottle) -> bool:
        if current is None:
            return await insert_unless_present(self._session, sign_in_throttles, _row(new))
        columns = sign_in_throttles.c
        statement = (
            update(sign_in_throttles)
            .where(
                columns.subject == current.subject,
                columns.failure_count == current.failure_count,
                columns.first_failure_time.is_not_distinct_from(current.first_failure_time),
                columns.locked_until.is_not_distinct_from(current.locked_until),
            )
            .values(_row(new))
        )
        return await changed_one_row(self._session, statement)


def _row(throttle: SignInThrottle) -> dict[str, Any]:
    return {
        "subject": throttle.subject,
        "failure_count": throttle.failure_count,
        "first_failure_time": throttle.first_failure_time,
        "locked_until": throttle.locked_until,
    }
