"""Each user's numbered changes: what a stream replays after a cursor.

The next number of a user is taken under a lock on the user's counter row, held until the
transaction ends, so a user's changes commit in the order of their numbers and a stream that has
read up to N never misses a change numbered below N that commits later.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.notifications import ChangeKind
from .rows import chunks, insert_missing
from .tables import change_counters, notification_changes


@dataclass(frozen=True, slots=True)
class Change:
    user: str
    sequence: int
    notification_id: str
    kind: ChangeKind


class SqlChanges:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self, changes: Sequence[tuple[str, str, ChangeKind]], now: datetime
    ) -> list[Change]:
        """Number each (user, notification id, kind) in its user's sequence and keep it."""
        if not changes:
            return []
        users = sorted({user for user, _, _ in changes})
        await insert_missing(
            self._session, change_counters, [{"user": u, "last_sequence": 0} for u in users]
        )
        last: dict[str, int] = {}
        for some in chunks(users):
            rows = await self._session.execute(
                select(change_counters.c.user, change_counters.c.last_sequence)
                .where(change_counters.c.user.in_(some))
                .order_by(change_counters.c.user)
                .with_for_update()
            )
            last.update(dict(rows.tuples().all()))
        numbered: list[Change] = []
        for user, notification_id, kind in changes:
            last[user] += 1
            numbered.append(Change(user, last[user], notification_id, kind))
        await self._session.execute(
            update(change_counters)
            .where(change_counters.c.user == bindparam("counter_user"))
            .values(last_sequence=bindparam("counter_last")),
            [{"counter_user": user, "counter_last": last[user]} for user in users],
        )
        await self._session.execute(
            insert(notification_changes),
            [
                {
                    "user": change.user,
                    "sequence": change.sequence,
                    "notification_id": change.notification_id,
                    "kind": int(change.kind),
                    "change_time": now,
                }
                for change in numbered
            ],
        )
        return numbered

    async def after(self, user: str, sequence: int, limit: int) -> list[Change]:
        """Up to `limit` of the user's changes numbered above `sequence`, in order."""
        rows = await self._session.execute(
            select(notification_changes)
            .where(notification_changes.c.user == user, notification_changes.c.sequence > sequence)
            .order_by(notification_changes.c.sequence)
            .limit(limit)
        )
        return [
            Change(row.user, row.sequence, row.notification_id, ChangeKind(row.kind))
            for row in rows
        ]

    async def latest(self, users: Iterable[str]) -> dict[str, int]:
        """The last number of each user that has one."""
        wanted = sorted(set(users))
        found: dict[str, int] = {}
        for some in chunks(wanted):
            rows = await self._session.execute(
                select(change_counters.c.user, change_counters.c.last_sequence).where(
                    change_counters.c.user.in_(some)
                )
            )
            found.update(dict(rows.tuples().all()))
        return found
