"""The delivery worker: email and push deliveries taken when due, one per transaction, and sent
as the user prefers.

For each due delivery: skipped when the user turned the channel off since; held through quiet
hours and until its digest time (security notices are neither); otherwise sent. The outcome is
written with the delivery: sent (NotificationDelivered), a failed attempt retried after
`retry_delay`, or after the last attempt or a permanent refusal failed for good
(NotificationFailed on notifications.deliveries.v1). An SMTP server that cannot take mail
(ServerUnavailable) uses up no attempts: email pauses, backing off, until it answers again, so
an outage delays mail and never loses it. Push subscriptions the push service no longer knows
are removed.

On PostgreSQL instances share the work: each takes due rows the others do not hold. A mail the
server accepted just before a crash is sent again after it, with the same Message-ID.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import structlog
from knowledge.notifications.v1 import notification_pb2
from knowledge.notifications.v1.events_pb2 import NotificationDelivered, NotificationFailed
from knowledge_kit.aio import first_set
from knowledge_kit.api import Clock, utc_now
from knowledge_kit.database import UnitOfWork
from knowledge_kit.errors import ValidationError
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..adapters.email import MailComposer, Recipient, SmtpMailer
from ..adapters.failures import DeliveryFailed, ServerUnavailable
from ..adapters.web_push import WebPushSender
from ..domain.notifications import Category, Channel, Delivery, DeliveryState, Notification
from ..domain.preferences import EmailFrequency, Preferences
from ..domain.schedule import (
    MAX_ATTEMPTS,
    in_quiet_hours,
    next_digest_at,
    quiet_hours_end,
    retry_delay,
    time_zone,
)
from ..domain.unsubscribe import UnsubscribeTokens
from ..repository.work import NotificationWork
from .sending import MailSending, NothingToSend, PushSending

_log = structlog.get_logger("ms_notifications.delivery")

PAUSE_FIRST = timedelta(seconds=5)
PAUSE_MAX = timedelta(minutes=5)
_CHANNEL_NAMES = {Channel.EMAIL: "email", Channel.PUSH: "push"}


class DeliveryWorker:
    """Sends due email and push deliveries. A channel without its sender (no SMTP host, no
    VAPID key) is left alone: its deliveries wait until a deployment configures it."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        outbox: Outbox,
        *,
        mailer: SmtpMailer | None,
        composer: MailComposer,
        push: WebPushSender | None,
        tokens: UnsubscribeTokens,
        public_base_url: str,
        poll_seconds: float = 1.0,
        batch_size: int = 100,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._outbox = outbox
        self._mail = MailSending(mailer, composer, tokens, public_base_url) if mailer else None
        self._push = PushSending(push, public_base_url) if push else None
        self._poll_seconds = poll_seconds
        self._batch_size = batch_size
        self._clock = clock
        self._paused_until: dict[Channel, datetime] = {}
        self._pause: dict[Channel, timedelta] = {}

    async def run(self, stop: asyncio.Event) -> None:
        """Until `stop`: deliver what is due, then wait `poll_seconds` unless more was due. A
        round that fails (the database unreachable) is logged and tried again."""
        while not stop.is_set():
            try:
                handled = await self.run_once()
            except Exception:
                _log.exception("delivery_round_failed")
                handled = 0
            if handled < self._batch_size:
                await first_set(stop, seconds=self._poll_seconds)

    async def run_once(self) -> int:
        """Deliver up to `batch_size` due deliveries, each in its own transaction; how many."""
        handled = 0
        while handled < self._batch_size:
            now = self._clock()
            channels = self._open_channels(now)
            if not channels:
                break
            taken: Delivery | None = None
            try:
                async with UnitOfWork(self._sessions) as uow:
                    work = NotificationWork(uow.session, self._outbox)
                    due = await work.deliveries.due(now, 1, channels=channels)
                    if not due:
                        break
                    taken = due[0]
                    await self._deliver(work, taken, now)
                    await uow.commit()
            except Exception as error:
                if taken is None:
                    raise
                # One delivery that cannot be handled must not hold up every one behind it.
                _log.exception("delivery_crashed", delivery=taken.name)
                await self._crashed(taken, now, error)
            handled += 1
        return handled

    async def _crashed(self, delivery: Delivery, now: datetime, error: Exception) -> None:
        """Count an attempt that ended in an unexpected error, as a failure that may pass."""
        failure = DeliveryFailed(f"internal error: {type(error).__name__}", permanent=False)
        async with UnitOfWork(self._sessions) as uow:
            work = NotificationWork(uow.session, self._outbox)
            notification = await work.notifications.get(
                delivery.recipient, delivery.notification_id
            )
            if notification is None:
                await _skip(work, delivery, now, "the notification no longer exists")
            else:
                await _attempt_failed(work, delivery, notification, failure, now)
            await uow.commit()

    def _open_channels(self, now: datetime) -> list[Channel]:
        configured = {Channel.EMAIL: self._mail, Channel.PUSH: self._push}
        return [
            channel
            for channel, sending in configured.items()
            if sending is not None and self._paused_until.get(channel, now) <= now
        ]

    async def _deliver(self, work: NotificationWork, delivery: Delivery, now: datetime) -> None:
        notification = await work.notifications.get(delivery.recipient, delivery.notification_id)
        if notification is None:
            await _skip(work, delivery, now, "the notification no longer exists")
            return
        preferences = await work.preferences.get(delivery.recipient)
        if delivery.channel not in preferences.channels_for(notification.category):
            await _skip(work, delivery, now, f"{_CHANNEL_NAMES[delivery.channel]} is off for this")
            return
        urgent = notification.category is Category.ACCOUNT
        zone = _zone(preferences)
        window = (preferences.quiet_hours.start_minute, preferences.quiet_hours.end_minute)
        if not urgent and in_quiet_hours(now, zone, *window):
            await _hold(work, delivery, now, quiet_hours_end(now, zone, *window))
            return
        if delivery.channel is Channel.PUSH:
            await self._send_push(work, delivery, notification, now)
            return
        frequency = preferences.category(notification.category).email_frequency
        if urgent or frequency is EmailFrequency.IMMEDIATE:
            await self._send_mail(work, [(delivery, notification)], preferences, now, digest=None)
            return
        # The digest a notification goes out in is the first one after it was created.
        digest_time = next_digest_at(frequency, delivery.create_time, zone, None)
        if now < digest_time:
            await _hold(work, delivery, now, digest_time)
            return
        members = await _digest_members(work, delivery, notification, frequency, zone, now)
        await self._send_mail(work, members, preferences, now, digest=str(delivery.id))

    async def _send_mail(
        self,
        work: NotificationWork,
        members: list[tuple[Delivery, Notification]],
        preferences: Preferences,
        now: datetime,
        *,
        digest: str | None,
    ) -> None:
        assert self._mail is not None
        recipient = members[0][0].recipient
        account = await work.directory.account(recipient)
        address = preferences.email_address or (account.email if account else "")
        if not address:
            for delivery, _ in members:
                await _skip(work, delivery, now, "no email address known")
            return
        to = Recipient(address, account.display_name if account else "")
        try:
            await self._mail.send(to, [one for _, one in members], digest_id=digest)
        except ServerUnavailable as failure:
            resume = self._paused(Channel.EMAIL, now)
            for delivery, _ in members:
                await _wait_for_server(work, delivery, now, failure.reason, resume)
            return
        except DeliveryFailed as failure:
            for delivery, notification in members:
                await _attempt_failed(work, delivery, notification, failure, now)
            return
        self._resumed(Channel.EMAIL)
        digest_name = f"{recipient}/digests/{digest}" if digest else ""
        for delivery, notification in members:
            await _sent(work, delivery, notification, now, digest_name)

    async def _send_push(
        self, work: NotificationWork, delivery: Delivery, notification: Notification, now: datetime
    ) -> None:
        assert self._push is not None
        try:
            await self._push.send(work, notification)
        except NothingToSend as nothing:
            await _skip(work, delivery, now, str(nothing))
        except DeliveryFailed as failure:
            await _attempt_failed(work, delivery, notification, failure, now)
        else:
            await _sent(work, delivery, notification, now, "")

    def _paused(self, channel: Channel, now: datetime) -> datetime:
        """Pause `channel` (its server is unavailable), each time twice as long, up to a cap;
        when it resumes."""
        pause = min(self._pause.get(channel, PAUSE_FIRST / 2) * 2, PAUSE_MAX)
        self._pause[channel] = pause
        self._paused_until[channel] = now + pause
        _log.warning(
            "delivery_channel_paused",
            channel=_CHANNEL_NAMES[channel],
            seconds=pause.total_seconds(),
        )
        return now + pause

    def _resumed(self, channel: Channel) -> None:
        self._pause.pop(channel, None)
        self._paused_until.pop(channel, None)


def _zone(preferences: Preferences) -> ZoneInfo:
    """The user's time zone; UTC if what was stored is no longer known."""
    try:
        return time_zone(preferences.time_zone)
    except ValidationError:
        return ZoneInfo("UTC")


async def _digest_members(
    work: NotificationWork,
    due: Delivery,
    notification: Notification,
    frequency: EmailFrequency,
    zone: ZoneInfo,
    now: datetime,
) -> list[tuple[Delivery, Notification]]:
    """Every unsent email delivery of the user in the category whose digest time has come
    (the due one among them), oldest first."""
    waiting = await work.deliveries.pending_of(due.recipient, Channel.EMAIL)
    notifications = await work.notifications.get_many(
        due.recipient, [one.notification_id for one in waiting]
    )
    members = [(due, notification)]
    for delivery in waiting:
        member = notifications.get(delivery.notification_id)
        if (
            delivery.id != due.id
            and member is not None
            and member.category is notification.category
            and next_digest_at(frequency, delivery.create_time, zone, None) <= now
        ):
            members.append((delivery, member))
    return sorted(members, key=lambda pair: (pair[1].create_time, pair[0].id))


async def _skip(work: NotificationWork, delivery: Delivery, now: datetime, reason: str) -> None:
    await work.deliveries.save(
        replace(delivery, state=DeliveryState.SKIPPED, last_error=reason, next_attempt_at=None),
        now,
    )


async def _hold(work: NotificationWork, delivery: Delivery, now: datetime, until: datetime) -> None:
    await work.deliveries.save(
        replace(delivery, state=DeliveryState.HELD, next_attempt_at=until), now
    )


async def _wait_for_server(
    work: NotificationWork, delivery: Delivery, now: datetime, reason: str, resume: datetime
) -> None:
    """The server was unavailable: no attempt is counted, the delivery waits for it."""
    await work.deliveries.save(
        replace(delivery, state=DeliveryState.PENDING, last_error=reason, next_attempt_at=resume),
        now,
    )


async def _attempt_failed(
    work: NotificationWork,
    delivery: Delivery,
    notification: Notification,
    failure: DeliveryFailed,
    now: datetime,
) -> None:
    attempts = delivery.attempts + 1
    if not failure.permanent and attempts < MAX_ATTEMPTS:
        await work.deliveries.save(
            replace(
                delivery,
                state=DeliveryState.PENDING,
                attempts=attempts,
                last_error=failure.reason,
                next_attempt_at=now + retry_delay(attempts),
            ),
            now,
        )
        return
    await work.deliveries.save(
        replace(
            delivery,
            state=DeliveryState.FAILED,
            attempts=attempts,
            last_error=failure.reason,
            next_attempt_at=None,
        ),
        now,
    )
    await work.record(
        NotificationFailed(
            notification=notification.name,
            recipient=delivery.recipient,
            category=_category(notification.category),
            channel=_channel(delivery.channel),
            cause_event_id=notification.cause_event_id,
            reason=failure.reason,
            attempts=attempts,
        ),
        recipient=delivery.recipient,
    )
    _log.warning(
        "delivery_failed",
        delivery=delivery.name,
        attempts=attempts,
        reason=failure.reason,
    )


async def _sent(
    work: NotificationWork,
    delivery: Delivery,
    notification: Notification,
    now: datetime,
    digest: str,
) -> None:
    await work.deliveries.save(
        replace(
            delivery,
            state=DeliveryState.SENT,
            attempts=delivery.attempts + 1,
            last_error="",
            next_attempt_at=None,
            sent_at=now,
            digest=digest,
        ),
        now,
    )
    await work.record(
        NotificationDelivered(
            notification=notification.name,
            recipient=delivery.recipient,
            category=_category(notification.category),
            channel=_channel(delivery.channel),
            cause_event_id=notification.cause_event_id,
        ),
        recipient=delivery.recipient,
    )


def _category(category: Category) -> notification_pb2.NotificationCategory.ValueType:
    return notification_pb2.NotificationCategory.ValueType(int(category))


def _channel(channel: Channel) -> notification_pb2.NotificationChannel.ValueType:
    return notification_pb2.NotificationChannel.ValueType(int(channel))
