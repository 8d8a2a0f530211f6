"""Users' inboxes: notifications with their state, grouped ones with their distinct actors."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.notifications import Category, Counts, Notification
from .rows import aware, chunks, is_postgresql, maybe_aware
from .tables import notification_actors, notifications

n = notifications.c


@dataclass(frozen=True, slots=True)
class InboxFilter:
    """Which of a user's notifications a listing shows."""

    unread_only: bool = False
    categories: frozenset[Category] = frozenset()
    archived: bool = False


def in_inbox(now: datetime) -> ColumnElement[bool]:
    """Neither archived nor snoozed (a snooze that has ended is back)."""
    return and_(n.archive_time.is_(None), or_(n.snooze_until.is_(None), n.snooze_until <= now))


class SqlNotifications:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, added: Sequence[Notification]) -> None:
        if not added:
            return
        await self._session.execute(insert(notifications), [_row(one) for one in added])
        actors = [
            {"notification_id": one.id, "actor": one.actors[0], "acted_at": one.activity_time}
            for one in added
            if one.actors
        ]
        if actors:
            await self._session.execute(insert(notification_actors), actors)

    async def caused_by(self, cause_event_id: str, recipients: Sequence[str]) -> set[str]:
        """Those of `recipients` already told of the event (a redelivery changes nothing)."""
        told: set[str] = set()
        for some in chunks(recipients):
            rows = await self._session.execute(
                select(n.recipient).where(n.cause_event_id == cause_event_id, n.recipient.in_(some))
            )
            told.update(rows.scalars())
        return told

    async def open_groups(self, group_key: str, recipients: Sequence[str]) -> list[Notification]:
        """Each recipient's unread notification of the group still in their inbox or snoozed."""
        found: list[Notification] = []
        for some in chunks(recipients):
            rows = await self._session.execute(
                select(notifications).where(
                    n.group_key == group_key,
                    n.recipient.in_(some),
                    n.read_time.is_(None),
                    n.archive_time.is_(None),
                )
            )
            found.extend(_notification(row._mapping) for row in rows)
        return found

    async def join_group(self, grouped: Notification, actor: str, acted_at: datetime) -> int:
        """Count `actor` among the group's actors; how many distinct ones it has now."""
        await self._session.execute(
            delete(notification_actors).where(
                notification_actors.c.notification_id == grouped.id,
                notification_actors.c.actor == actor,
            )
        )
        await self._session.execute(
            insert(notification_actors).values(
                notification_id=grouped.id, actor=actor, acted_at=acted_at
            )
        )
        count = await self._session.scalar(
            select(func.count()).where(notification_actors.c.notification_id == grouped.id)
        )
        return int(count or 0)

    async def replace(self, changed: Notification) -> None:
        """Write every field of `changed` over its row."""
        await self._session.execute(
            update(notifications).where(n.id == changed.id).values(**_row(changed))
        )

    async def get(self, recipient: str, notification_id: str) -> Notification | None:
        row = (
            await self._session.execute(
                select(notifications).where(n.id == notification_id, n.recipient == recipient)
            )
        ).first()
        return None if row is None else _notification(row._mapping)

    async def get_many(self, recipient: str, ids: Iterable[str]) -> dict[str, Notification]:
        wanted = sorted(set(ids))
        found: dict[str, Notification] = {}
        for some in chunks(wanted):
            rows = await self._session.execute(
                select(notifications).where(n.recipient == recipient, n.id.in_(some))
            )
            for row in rows:
                found[row.id] = _notification(row._mapping)
        return found

    async def page(
        self,
        recipient: str,
        shown: InboxFilter,
        now: datetime,
        after: tuple[datetime, str] | None,
        limit: int,
    ) -> list[Notification]:
        """Newest news first (activity time, then id), after the position of the last page."""
        query = select(notifications).where(n.recipient == recipient)
        if shown.archived:
            query = query.where(n.archive_time.is_not(None))
        else:
            query = query.where(in_inbox(now))
        if shown.unread_only:
            query = query.where(n.read_time.is_(None))
        if shown.categories:
            query = query.where(n.category.in_(sorted(int(c) for c in shown.categories)))
        if after is not None:
            moment, last_id = after
            query = query.where(
                or_(n.activity_time < moment, and_(n.activity_time == moment, n.id < last_id))
            )
        query = query.order_by(n.activity_time.desc(), n.id.desc()).limit(limit)
        return [_notification(row._mapping) for row in await self._session.execute(query)]

    async def counts(self, recipient: str, now: datetime) -> Counts:
        row = (
            await self._session.execute(
                select(
                    func.count().filter(n.read_time.is_(None)),
                    func.count().filter(n.seen_time.is_(None)),
                ).where(n.recipient == recipient, in_inbox(now))
            )
        ).one()
        return Counts(unread=int(row[0]), unseen=int(row[1]))

    async def snoozes_ended(self, now: datetime, limit: int) -> list[Notification]:
        """Up to `limit` notifications whose snooze has ended, earliest first, locked for this
        transaction (on PostgreSQL rows another instance holds are skipped)."""
        query = (
            select(notifications)
            .where(n.snooze_until.is_not(None), n.snooze_until <= now)
            .order_by(n.snooze_until, n.id)
            .limit(limit)
        )
        if is_postgresql(self._session):
            query = query.with_for_update(skip_locked=True)
        return [_notification(row._mapping) for row in await self._session.execute(query)]

    async def bring_back(self, ended: Sequence[Notification], now: datetime) -> list[Notification]:
        """Those of `ended` still snoozed until `now` or before, back at the top of the inbox,
        unread and unseen (one another transaction brought back first is left out)."""
        back: list[Notification] = []
        for some in chunks(ended):
            rows = await self._session.execute(
                update(notifications)
                .where(
                    n.id.in_([one.id for one in some]),
                    n.snooze_until.is_not(None),
                    n.snooze_until <= now,
                )
                .values(
                    snooze_until=None,
                    seen_time=None,
                    read_time=None,
                    activity_time=now,
                    update_time=now,
                )
                .returning(*notifications.c)
            )
            back.extend(_notification(row._mapping) for row in rows)
        return back

    async def unread(self, recipient: str) -> list[Notification]:
        """Every unread notification of the user, archived and snoozed ones too."""
        rows = await self._session.execute(
            select(notifications).where(n.recipient == recipient, n.read_time.is_(None))
        )
        return [_notification(row._mapping) for row in rows]


def _row(one: Notification) -> dict[str, Any]:
    return {
        "id": one.id,
        "recipient": one.recipient,
        "category": int(one.category),
        "title": one.title,
        "body": one.body,
        "link": one.link,
        "cause_event_id": one.cause_event_id,
        "group_key": one.group_key,
        "actors": json.dumps(list(one.actors)),
        "actor_count": one.actor_count,
        "create_time": one.create_time,
        "update_time": one.update_time,
        "activity_time": one.activity_time,
        "read_time": one.read_time,
        "seen_time": one.seen_time,
        "archive_time": one.archive_time,
        "snooze_until": one.snooze_until,
    }


def _notification(row: Any) -> Notification:
    return Notification(
        id=row["id"],
        recipient=row["recipient"],
        category=Category(row["category"]),
        title=row["title"],
        body=row["body"],
        link=row["link"],
        cause_event_id=row["cause_event_id"],
        group_key=row["group_key"],
        actors=tuple(json.loads(row["actors"])),
        actor_count=row["actor_count"],
        create_time=aware(row["create_time"]),
        update_time=aware(row["update_time"]),
        activity_time=aware(row["activity_time"]),
        read_time=maybe_aware(row["read_time"]),
        seen_time=maybe_aware(row["seen_time"]),
        archive_time=maybe_aware(row["archive_time"]),
        snooze_until=maybe_aware(row["snooze_until"]),
    )
