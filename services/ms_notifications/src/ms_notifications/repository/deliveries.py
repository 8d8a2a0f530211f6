"""Deliveries: one row per notification and channel, with its attempts.

The delivery worker takes due rows with `due` (locked, skipping rows another instance holds,
on PostgreSQL) and writes each attempt's outcome with `save` in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.notifications import Channel, Delivery, DeliveryState
from .rows import aware, is_postgresql, maybe_aware
from .tables import deliveries

d = deliveries.c


class SqlDeliveries:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, added: Sequence[Delivery]) -> None:
        """New deliveries (their `id` is ignored: the database numbers them)."""
        if added:
            rows = [_row(one) for one in added]
            for row in rows:
                del row["id"]
            await self._session.execute(insert(deliveries), rows)

    async def of_notification(
        self, recipient: str, notification_id: str, offset: int, limit: int
    ) -> list[Delivery]:
        rows = await self._session.execute(
            select(deliveries)
            .where(d.recipient == recipient, d.notification_id == notification_id)
            .order_by(d.channel)
            .offset(offset)
            .limit(limit)
        )
        return [_delivery(row._mapping) for row in rows]

    async def due(
        self,
        now: datetime,
        limit: int,
        *,
        channels: Sequence[Channel] = (Channel.EMAIL, Channel.PUSH),
        states: Sequence[DeliveryState] = (DeliveryState.PENDING, DeliveryState.HELD),
    ) -> list[Delivery]:
        """Up to `limit` deliveries whose next attempt is due, oldest first, locked for this
        transaction (rows another transaction holds are skipped, on PostgreSQL)."""
        query = (
            select(deliveries)
            .where(
                d.state.in_([int(state) for state in states]),
                d.channel.in_([int(channel) for channel in channels]),
                d.next_attempt_at <= now,
            )
            .order_by(d.next_attempt_at, d.id)
            .limit(limit)
        )
        if is_postgresql(self._session):
            query = query.with_for_update(skip_locked=True)
        return [_delivery(row._mapping) for row in await self._session.execute(query)]

    async def pending_of(self, recipient: str, channel: Channel) -> list[Delivery]:
        """The user's deliveries through `channel` not yet sent or given up (a digest's),
        locked for this transaction (on PostgreSQL rows another instance holds are skipped,
        so no delivery goes out in two digests)."""
        query = (
            select(deliveries)
            .where(
                d.recipient == recipient,
                d.channel == int(channel),
                d.state.in_([int(DeliveryState.PENDING), int(DeliveryState.HELD)]),
            )
            .order_by(d.id)
        )
        if is_postgresql(self._session):
            query = query.with_for_update(skip_locked=True)
        rows = await self._session.execute(query)
        return [_delivery(row._mapping) for row in rows]

    async def save(self, delivery: Delivery, now: datetime) -> Delivery:
        """Write the delivery's state, attempts, error and times."""
        saved = replace(delivery, update_time=now)
        values = _row(saved)
        del values["id"]
        await self._session.execute(update(deliveries).where(d.id == delivery.id).values(values))
        return saved


def _row(one: Delivery) -> dict[str, Any]:
    return {
        "id": one.id,
        "notification_id": one.notification_id,
        "recipient": one.recipient,
        "channel": int(one.channel),
        "state": int(one.state),
        "attempts": one.attempts,
        "last_error": one.last_error,
        "next_attempt_at": one.next_attempt_at,
        "sent_at": one.sent_at,
        "digest": one.digest,
        "create_time": one.create_time,
        "update_time": one.update_time,
    }


def _delivery(row: Any) -> Delivery:
    return Delivery(
        id=row["id"],
        notification_id=row["notification_id"],
        recipient=row["recipient"],
        channel=Channel(row["channel"]),
        state=DeliveryState(row["state"]),
        attempts=row["attempts"],
        last_error=row["last_error"],
        next_attempt_at=maybe_aware(row["next_attempt_at"]),
        sent_at=maybe_aware(row["sent_at"]),
        digest=row["digest"],
        create_time=aware(row["create_time"]),
        update_time=aware(row["update_time"]),
    )
