"""Preferences: read, changed field by field (update masks), and one category's email turned off
by a mail's unsubscribe link, without signing in."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace

from knowledge_kit.api import Clock, utc_now
from knowledge_kit.database import UnitOfWork
from knowledge_kit.errors import FieldViolation, NotFoundError, ValidationError
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.names import PREFERENCES
from ..domain.notifications import Category, Channel
from ..domain.preferences import ALWAYS, CategoryPreference, EmailFrequency, Preferences, QuietHours
from ..domain.schedule import checked_quiet_hours, time_zone
from ..domain.unsubscribe import UnsubscribeTokens
from ..repository.work import NotificationWork

UPDATABLE = ("categories", "email_address", "time_zone", "quiet_hours")
MAX_TIME_ZONE_CHARS = 64
EMAIL_ADDRESS = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{1,63}")


@dataclass(frozen=True, slots=True)
class RequestedCategory:
    """A CategoryPreference as the request gave it (numbers not yet known to be valid)."""

    category: int
    channels: tuple[int, ...]
    email_frequency: int


@dataclass(frozen=True, slots=True)
class RequestedPreferences:
    name: str
    categories: tuple[RequestedCategory, ...]
    email_address: str
    time_zone: str
    quiet_hours: tuple[int, int]


class PreferenceUseCases:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        tokens: UnsubscribeTokens,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._tokens = tokens
        self._clock = clock

    async def get(self, caller: str, name: str) -> Preferences:
        user = _owner(caller, name, "name")
        async with UnitOfWork(self._sessions) as uow:
            return await NotificationWork(uow.session, self._outbox).preferences.get(user)

    async def update(
        self, caller: str, requested: RequestedPreferences, paths: Collection[str]
    ) -> Preferences:
        user = _owner(caller, requested.name, "preferences.name")
        async with UnitOfWork(self._sessions) as uow:
            work = NotificationWork(uow.session, self._outbox)
            current = await work.preferences.get(user)
            chosen = current
            if "categories" in paths:
                categories = _categories(requested.categories)
                chosen = replace(chosen, categories=categories)
                emailed = [c for c, one in categories.items() if Channel.EMAIL in one.channels]
                await work.preferences.resubscribe(user, emailed)
                chosen = replace(chosen, unsubscribed=current.unsubscribed - set(emailed))
            if "email_address" in paths:
                chosen = replace(chosen, email_address=_email_address(requested.email_address))
            if "time_zone" in paths:
                _time_zone(requested.time_zone)
                chosen = replace(chosen, time_zone=requested.time_zone)
            if "quiet_hours" in paths:
                start, end = checked_quiet_hours(*requested.quiet_hours)
                chosen = replace(chosen, quiet_hours=QuietHours(start, end))
            await work.preferences.save(chosen, self._clock())
            await uow.commit()
        return chosen

    async def unsubscribe(self, token: str) -> tuple[str, Category]:
        """Turn off the email of the category the token names, for the user it names."""
        user, number = self._tokens.verify(token)
        try:
            category = Category(number)
        except ValueError:
            raise _bad_token() from None
        if category in ALWAYS or not PREFERENCES.matches(f"{user}/notificationPreferences"):
            raise _bad_token()
        async with UnitOfWork(self._sessions) as uow:
            work = NotificationWork(uow.session, self._outbox)
            await work.preferences.unsubscribe(user, category, self._clock())
            await uow.commit()
        return user, category


def _owner(caller: str, name: str, field: str) -> str:
    """The user of `name` (users/{user}/notificationPreferences); another user's are NOT_FOUND."""
    ids = PREFERENCES.parse(name, field)
    user = f"users/{ids['user']}"
    if user != caller:
        raise NotFoundError(f"{name} does not exist")
    return user


def _categories(requested: Sequence[RequestedCategory]) -> dict[Category, CategoryPreference]:
    chosen: dict[Category, CategoryPreference] = {}
    violations: list[FieldViolation] = []
    for index, one in enumerate(requested):
        field = f"preferences.categories[{index}]"
        try:
            category = Category(one.category)
        except ValueError:
            violations.append(FieldViolation(f"{field}.category", "is not a known category"))
            continue
        if category in chosen:
            violations.append(FieldViolation(f"{field}.category", "is listed twice"))
        try:
            channels = frozenset(Channel(number) for number in one.channels)
        except ValueError:
            violations.append(FieldViolation(f"{field}.channels", "holds an unknown channel"))
            continue
        if not ALWAYS.get(category, frozenset()) <= channels:
            violations.append(
                FieldViolation(
                    f"{field}.channels", "security notices cannot be muted: keep in-app and email"
                )
            )
        try:
            frequency = EmailFrequency(one.email_frequency or EmailFrequency.IMMEDIATE)
        except ValueError:
            violations.append(FieldViolation(f"{field}.email_frequency", "is not a frequency"))
            continue
        chosen[category] = CategoryPreference(category, channels, frequency)
    if violations:
        raise ValidationError("the category preferences are not valid", violations)
    return chosen


def _email_address(address: str) -> str:
    if address and (len(address) > 320 or not EMAIL_ADDRESS.fullmatch(address)):
        raise ValidationError(
            "email_address is not an email address",
            [
                FieldViolation(
                    "preferences.email_address", "must be an address like ada@example.com"
                )
            ],
        )
    return address


def _time_zone(name: str) -> None:
    """An IANA name (no longer than the longest there is), or INVALID_ARGUMENT naming it."""
    if len(name) > MAX_TIME_ZONE_CHARS:
        raise ValidationError(
            "time_zone is not a time zone",
            [FieldViolation("preferences.time_zone", "must be an IANA time zone name")],
        )
    time_zone(name)


def _bad_token() -> ValidationError:
    return ValidationError(
        "the unsubscribe link is not valid",
        [FieldViolation("token", "must be the token of a mail's unsubscribe link")],
    )
