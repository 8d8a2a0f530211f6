"""Telling users: an event's notifications created (or grouped into one each recipient already
has), each with its deliveries per channel, numbered in each recipient's stream, in the
transaction of the event's inbox row, so Kafka redelivering the event tells no one twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from knowledge.notifications.v1.events_pb2 import NotificationDelivered
from knowledge_kit.api import Clock, new_resource_id, utc_now
from knowledge_kit.database import after_commit

from ..domain.notifications import (
    ChangeKind,
    Channel,
    Delivery,
    DeliveryState,
    Notification,
    merged_actors,
)
from ..domain.preferences import Preferences
from ..domain.rules import Intent, Tell, label_of
from ..repository.directory import Account
from ..repository.work import NotificationWork
from .live import LiveChanges


class Notifier:
    def __init__(self, live: LiveChanges, clock: Clock = utc_now) -> None:
        self._live = live
        self._clock = clock

    async def tell(self, work: NotificationWork, told: Tell, cause_event_id: str) -> int:
        """Tell `told.recipients` of `told.intent`; how many notifications changed."""
        intent = told.intent
        already = await work.notifications.caused_by(cause_event_id, told.recipients)
        recipients = [r for r in told.recipients if r not in already]
        if not recipients:
            return 0
        now = self._clock()
        label = await self._actor_label(work, intent)
        grouped: list[Notification] = []
        if intent.group_key:
            for joined in await work.notifications.open_groups(intent.group_key, recipients):
                count = await work.notifications.join_group(joined, intent.actor, now)
                grouped.append(
                    replace(
                        joined,
                        title=intent.title(label, count),
                        body=intent.body,
                        cause_event_id=cause_event_id,
                        actors=merged_actors(intent.actor, joined.actors),
                        actor_count=count,
                        update_time=now,
                        activity_time=now,
                        seen_time=None,
                        snooze_until=None,
                    )
                )
            for changed in grouped:
                await work.notifications.replace(changed)
        regrouped = {one.recipient for one in grouped}
        created = [
            _new(intent, recipient, label, cause_event_id, now)
            for recipient in recipients
            if recipient not in regrouped
        ]
        await work.notifications.add(created)
        await work.deliveries.add(await _deliveries(work, created, now))
        await work.record_many(
            [
                (
                    NotificationDelivered(
                        notification=one.name,
                        recipient=one.recipient,
                        category=int(one.category),  # type: ignore[arg-type]
                        channel=int(Channel.IN_APP),  # type: ignore[arg-type]
                        cause_event_id=cause_event_id,
                    ),
                    one.recipient,
                )
                for one in created
            ]
        )
        await work.changes.record(
            [(one.recipient, one.id, ChangeKind.CREATED) for one in created]
            + [(one.recipient, one.id, ChangeKind.UPDATED) for one in grouped],
            now,
        )
        after_commit(work.session, lambda: self._live.changed(recipients))
        return len(created) + len(grouped)

    async def _actor_label(self, work: NotificationWork, intent: Intent) -> str:
        if not intent.actor or intent.actor_label:
            return intent.actor_label
        account = await work.directory.account(intent.actor)
        return label_of(intent.actor, account.display_name if account else "")


def _new(
    intent: Intent, recipient: str, label: str, cause_event_id: str, now: datetime
) -> Notification:
    actors = (intent.actor,) if intent.actor else ()
    return Notification(
        id=new_resource_id(),
        recipient=recipient,
        category=intent.category,
        title=intent.title(label, len(actors)),
        body=intent.body,
        link=intent.link,
        cause_event_id=cause_event_id,
        group_key=intent.group_key,
        actors=actors,
        actor_count=len(actors),
        create_time=now,
        update_time=now,
        activity_time=now,
    )


async def _deliveries(
    work: NotificationWork, created: list[Notification], now: datetime
) -> list[Delivery]:
    """In-app at once; email and push pending for the delivery worker, or skipped saying why."""
    if not created:
        return []
    recipients = sorted({one.recipient for one in created})
    preferences = await work.preferences.of_users(recipients)
    accounts = await work.directory.accounts(recipients)
    subscribed = await work.push.users_with_any(recipients)
    rows: list[Delivery] = []
    for one in created:
        chosen = preferences[one.recipient]
        channels = chosen.channels_for(one.category)

        rows.append(_delivery(one, now, Channel.IN_APP, DeliveryState.SENT))
        email_off = _email_off(one, chosen, channels, accounts.get(one.recipient))
        if email_off:
            rows.append(_delivery(one, now, Channel.EMAIL, DeliveryState.SKIPPED, email_off))
        else:
            rows.append(_delivery(one, now, Channel.EMAIL, DeliveryState.PENDING))
        if Channel.PUSH not in channels:
            rows.append(
                _delivery(one, now, Channel.PUSH, DeliveryState.SKIPPED, "push is off for this")
            )
        elif one.recipient not in subscribed:
            rows.append(
                _delivery(one, now, Channel.PUSH, DeliveryState.SKIPPED, "no push subscription")
            )
        else:
            rows.append(_delivery(one, now, Channel.PUSH, DeliveryState.PENDING))
    return rows


def _delivery(
    one: Notification, now: datetime, channel: Channel, state: DeliveryState, error: str = ""
) -> Delivery:
    return Delivery(
        id=0,
        notification_id=one.id,
        recipient=one.recipient,
        channel=channel,
        state=state,
        attempts=1 if state is DeliveryState.SENT else 0,
        last_error=error,
        next_attempt_at=now if state is DeliveryState.PENDING else None,
        sent_at=now if state is DeliveryState.SENT else None,
        digest="",
        create_time=now,
        update_time=now,
    )


def _email_off(
    one: Notification,
    chosen: Preferences,
    channels: frozenset[Channel],
    account: Account | None,
) -> str:
    """Why no mail goes out ("" when one does)."""
    if Channel.EMAIL not in channels:
        if one.category in chosen.unsubscribed:
            return "email of this category was unsubscribed"
        return "email is off for this category"
    if not (chosen.email_address or (account.email if account else "")):
        return "no email address known"
    return ""
