"""A user's preferences: which categories reach them through which channels, and when."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from .notifications import Category, Channel

MINUTES_PER_DAY = 24 * 60


class EmailFrequency(IntEnum):
    """knowledge.notifications.v1.EmailFrequency (unspecified is immediate)."""

    IMMEDIATE = 1
    HOURLY = 2
    DAILY = 3
    WEEKLY = 4


# What a category without a preference gets: in-app only.
DEFAULT_CHANNELS = frozenset({Channel.IN_APP})
# Security notices cannot be muted.
ALWAYS = {Category.ACCOUNT: frozenset({Channel.IN_APP, Channel.EMAIL})}


@dataclass(frozen=True, slots=True)
class CategoryPreference:
    category: Category
    channels: frozenset[Channel]
    email_frequency: EmailFrequency = EmailFrequency.IMMEDIATE


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Minutes after local midnight; the window may cross midnight; equal is none."""

    start_minute: int = 0
    end_minute: int = 0

    @property
    def active(self) -> bool:
        return self.start_minute != self.end_minute


@dataclass(frozen=True, slots=True)
class Preferences:
    user: str
    categories: dict[Category, CategoryPreference] = field(default_factory=dict)
    email_address: str = ""
    time_zone: str = ""
    quiet_hours: QuietHours = QuietHours()
    # Categories whose email the user turned off with a mail's unsubscribe link.
    unsubscribed: frozenset[Category] = frozenset()

    def category(self, category: Category) -> CategoryPreference:
        """The preference of `category`, the default when the user set none."""
        chosen = self.categories.get(category)
        if chosen is None:
            chosen = CategoryPreference(category, DEFAULT_CHANNELS)
        return CategoryPreference(
            category,
            chosen.channels | ALWAYS.get(category, frozenset()),
            chosen.email_frequency,
        )

    def channels_for(self, category: Category) -> frozenset[Channel]:
        """The channels a notification of `category` goes through."""
        channels = self.category(category).channels
        if category in self.unsubscribed and category not in ALWAYS:
            channels = channels - {Channel.EMAIL}
        return channels | {Channel.IN_APP}


def channel_bits(channels: frozenset[Channel]) -> int:
    return sum(1 << int(channel) for channel in channels)


def channels_of(bits: int) -> frozenset[Channel]:
    return frozenset(channel for channel in Channel if bits & (1 << int(channel)))
