"""Preferences per user and category, and the categories unsubscribed by email link."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.notifications import Category
from ..domain.preferences import (
    CategoryPreference,
    EmailFrequency,
    Preferences,
    QuietHours,
    channel_bits,
    channels_of,
)
from .rows import chunks, insert_missing
from .tables import category_preferences, email_unsubscribes, preferences

p = preferences.c
c = category_preferences.c
u = email_unsubscribes.c


class SqlPreferences:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, user: str) -> Preferences:
        """The user's preferences; the defaults when they never set any."""
        return (await self.of_users([user]))[user]

    async def of_users(self, users: Iterable[str]) -> dict[str, Preferences]:
        wanted = sorted(set(users))
        base: dict[str, tuple[str, str, QuietHours]] = {}
        categories: dict[str, dict[Category, CategoryPreference]] = {u: {} for u in wanted}
        unsubscribed: dict[str, set[Category]] = {u: set() for u in wanted}
        for some in chunks(wanted):
            for row in await self._session.execute(select(preferences).where(p.user.in_(some))):
                quiet = QuietHours(row.quiet_start_minute, row.quiet_end_minute)
                base[row.user] = (row.email_address, row.time_zone, quiet)
            for row in await self._session.execute(
                select(category_preferences).where(c.user.in_(some))
            ):
                category = Category(row.category)
                categories[row.user][category] = CategoryPreference(
                    category, channels_of(row.channels), EmailFrequency(row.email_frequency)
                )
            for row in await self._session.execute(
                select(email_unsubscribes).where(u.user.in_(some))
            ):
                unsubscribed[row.user].add(Category(row.category))
        found: dict[str, Preferences] = {}
        for user in wanted:
            email_address, time_zone, quiet = base.get(user, ("", "", QuietHours()))
            found[user] = Preferences(
                user=user,
                categories=categories[user],
                email_address=email_address,
                time_zone=time_zone,
                quiet_hours=quiet,
                unsubscribed=frozenset(unsubscribed[user]),
            )
        return found

    async def save(self, chosen: Preferences, now: datetime) -> None:
        """Replace the user's preferences (and their categories) with `chosen`."""
        user = chosen.user
        await self._session.execute(delete(preferences).where(p.user == user))
        await self._session.execute(
            insert(preferences).values(
                user=user,
                email_address=chosen.email_address,
                time_zone=chosen.time_zone,
                quiet_start_minute=chosen.quiet_hours.start_minute,
                quiet_end_minute=chosen.quiet_hours.end_minute,
                update_time=now,
            )
        )
        await self._session.execute(delete(category_preferences).where(c.user == user))
        rows = [
            {
                "user": user,
                "category": int(one.category),
                "channels": channel_bits(one.channels),
                "email_frequency": int(one.email_frequency),
            }
            for one in chosen.categories.values()
        ]
        if rows:
            await self._session.execute(insert(category_preferences), rows)

    async def unsubscribe(self, user: str, category: Category, now: datetime) -> None:
        await insert_missing(
            self._session,
            email_unsubscribes,
            [{"user": user, "category": int(category), "create_time": now}],
        )

    async def resubscribe(self, user: str, categories: Iterable[Category]) -> None:
        """The user chose email for these categories again in their preferences."""
        chosen = [int(category) for category in categories]
        if chosen:
            await self._session.execute(
                delete(email_unsubscribes).where(u.user == user, u.category.in_(chosen))
            )
