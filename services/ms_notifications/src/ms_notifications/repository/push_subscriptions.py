"""Push subscriptions: one per browser endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from knowledge_kit.api import new_resource_id
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.push import PushSubscription
from .rows import aware, chunks
from .tables import push_subscriptions

s = push_subscriptions.c


class SqlPushSubscriptions:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def register(
        self, user: str, endpoint: str, p256dh: str, auth: str, device_label: str, now: datetime
    ) -> PushSubscription:
        """The endpoint's subscription for `user` with these keys: an endpoint registered
        before (by anyone: one browser, one subscription) keeps its id and gets the new keys."""
        row = (await self._session.execute(select(s.id).where(s.endpoint == endpoint))).first()
        values = {
            "user": user,
            "endpoint": endpoint,
            "p256dh": p256dh,
            "auth": auth,
            "device_label": device_label,
            "create_time": now,
        }
        if row is None:
            subscription_id = new_resource_id()
            await self._session.execute(
                insert(push_subscriptions).values(id=subscription_id, **values)
            )
        else:
            subscription_id = row.id
            await self._session.execute(
                update(push_subscriptions).where(s.id == subscription_id).values(**values)
            )
        return PushSubscription(subscription_id, user, endpoint, p256dh, auth, device_label, now)

    async def page(self, user: str, offset: int, limit: int) -> list[PushSubscription]:
        rows = await self._session.execute(
            select(push_subscriptions)
            .where(s.user == user)
            .order_by(s.create_time, s.id)
            .offset(offset)
            .limit(limit)
        )
        return [_subscription(row._mapping) for row in rows]

    async def of_user(self, user: str) -> list[PushSubscription]:
        return await self.page(user, 0, 1_000)

    async def delete(self, user: str, subscription_id: str) -> bool:
        result = await self._session.execute(
            delete(push_subscriptions).where(s.user == user, s.id == subscription_id)
        )
        return bool(getattr(result, "rowcount", 0))

    async def forget_endpoint(self, endpoint: str) -> None:
        """The push service said the subscription is gone (404/410)."""
        await self._session.execute(delete(push_subscriptions).where(s.endpoint == endpoint))

    async def users_with_any(self, users: Sequence[str]) -> set[str]:
        found: set[str] = set()
        for some in chunks(users):
            rows = await self._session.execute(select(s.user).where(s.user.in_(some)).distinct())
            found.update(rows.scalars())
        return found


def _subscription(row: Any) -> PushSubscription:
    return PushSubscription(
        id=row["id"],
        user=row["user"],
        endpoint=row["endpoint"],
        p256dh=row["p256dh"],
        auth=row["auth"],
        device_label=row["device_label"],
        create_time=aware(row["create_time"]),
    )
