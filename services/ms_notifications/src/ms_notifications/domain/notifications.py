"""Notifications and their deliveries, as the service keeps them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from .names import notification_name

MAX_ACTORS_SHOWN = 5


class Category(IntEnum):
    """knowledge.notifications.v1.NotificationCategory."""

    MEMBERSHIP = 1
    DOCUMENT = 2
    CHAT = 3
    ML = 4
    # Security notices: always in-app and by email, whatever the preferences say.
    ACCOUNT = 5


class Channel(IntEnum):
    """knowledge.notifications.v1.NotificationChannel."""

    IN_APP = 1
    EMAIL = 2
    PUSH = 3


class DeliveryState(IntEnum):
    """knowledge.notifications.v1.DeliveryState."""

    PENDING = 1
    HELD = 2
    SENT = 3
    FAILED = 4
    SKIPPED = 5


class ChangeKind(IntEnum):
    """What happened to a notification, as a stream tells it."""

    CREATED = 1
    UPDATED = 2


@dataclass(frozen=True, slots=True)
class Notification:
    id: str
    recipient: str
    category: Category
    title: str
    body: str
    link: str
    cause_event_id: str
    group_key: str
    actors: tuple[str, ...]
    actor_count: int
    create_time: datetime
    update_time: datetime
    activity_time: datetime
    read_time: datetime | None = None
    seen_time: datetime | None = None
    archive_time: datetime | None = None
    snooze_until: datetime | None = None

    @property
    def name(self) -> str:
        return notification_name(self.recipient, self.id)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One notification's way through one channel."""

    id: int
    notification_id: str
    recipient: str
    channel: Channel
    state: DeliveryState
    attempts: int
    last_error: str
    next_attempt_at: datetime | None
    sent_at: datetime | None
    digest: str
    create_time: datetime
    update_time: datetime

    @property
    def name(self) -> str:
        channel = {Channel.IN_APP: "in-app", Channel.EMAIL: "email", Channel.PUSH: "push"}
        return (
            f"{notification_name(self.recipient, self.notification_id)}/deliveries/"
            + (channel[self.channel])
        )


@dataclass(frozen=True, slots=True)
class Counts:
    unread: int
    unseen: int


def merged_actors(actor: str, earlier: tuple[str, ...]) -> tuple[str, ...]:
    """The actors shown after `actor` acted again: most recent first, each once, at most 5."""
    return (actor, *(other for other in earlier if other != actor))[:MAX_ACTORS_SHOWN]
