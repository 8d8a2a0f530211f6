"""The activities waiting for the store: written with the consumer's transaction, read oldest
first by the forwarder, removed once the store has them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..store import Activity
from .tables import pending_activities


@dataclass(frozen=True, slots=True)
class Pending:
    seq: int
    activity: Activity


def write_pending(connection: Connection, activities: Sequence[Activity]) -> None:
    """Insert `activities` on a synchronous connection (the commit hook's), in one statement."""
    connection.execute(
        insert(pending_activities), [{"body": _encoded(activity)} for activity in activities]
    )


class PendingActivities:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def oldest(self, limit: int, *, lock: bool = False) -> list[Pending]:
        """The `limit` oldest; with `lock`, rows no other forwarder holds, held until commit
        (PostgreSQL)."""
        query = select(pending_activities).order_by(pending_activities.c.seq).limit(limit)
        if lock:
            query = query.with_for_update(skip_locked=True)
        rows = await self._session.execute(query)
        return [Pending(row.seq, _decoded(row.body)) for row in rows]

    async def remove(self, seqs: Sequence[int]) -> None:
        await self._session.execute(
            delete(pending_activities).where(pending_activities.c.seq.in_(seqs))
        )

    async def remove_through(self, seq: int) -> None:
        """Remove every row up to `seq` (SQLite: one writer, so none older can appear later)."""
        await self._session.execute(
            delete(pending_activities).where(pending_activities.c.seq <= seq)
        )

    async def count(self) -> int:
        return int(
            await self._session.scalar(select(func.count()).select_from(pending_activities)) or 0
        )


def _encoded(activity: Activity) -> str:
    return json.dumps(
        [
            activity.id,
            activity.verb,
            activity.actor,
            activity.actor_display_name,
            activity.subject,
            activity.space,
            activity.source,
            activity.event_type,
            activity.occur_time.isoformat(),
            activity.record_time.isoformat() if activity.record_time else None,
            dict(activity.properties),
        ],
        separators=(",", ":"),
    )


def _decoded(body: str) -> Activity:
    values: list[Any] = json.loads(body)
    recorded = values[9]
    return Activity(
        id=values[0],
        verb=values[1],
        actor=values[2],
        actor_display_name=values[3],
        subject=values[4],
        space=values[5],
        source=values[6],
        event_type=values[7],
        occur_time=datetime.fromisoformat(values[8]),
        record_time=None if recorded is None else datetime.fromisoformat(recorded),
        properties=values[10],
    )
