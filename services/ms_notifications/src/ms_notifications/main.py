"""The composition root: the service's parts, wired once; the kit's runtime starts and stops them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.notifications.v1 import notification_service_pb2_grpc
from knowledge_kit.api import Clock, PageTokens, utc_now
from knowledge_kit.events import Outbox
from knowledge_kit.runtime import Registration, ServiceContext, ServiceParts, run_service
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .adapters.email import SmtpMailer
from .adapters.mail_messages import MailComposer
from .adapters.vapid import VapidKeys
from .adapters.web_push import WebPushSender
from .config import Settings
from .domain.unsubscribe import UnsubscribeTokens
from .server.events import event_handlers
from .server.notifications import NotificationServicer
from .service.delivery import DeliveryWorker
from .service.inbox import Inbox
from .service.live import LiveChanges
from .service.notify import Notifier
from .service.preferences import PreferenceUseCases
from .service.push import PushUseCases
from .service.snoozes import SnoozeCheck
from .service.stream import NotificationStream

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass(frozen=True, slots=True)
class NotificationParts:
    """The use cases on one database, with the wake-up of this instance's streams."""

    live: LiveChanges
    notifier: Notifier
    inbox: Inbox
    stream: NotificationStream
    preferences: PreferenceUseCases
    push: PushUseCases
    snoozes: SnoozeCheck
    tokens: UnsubscribeTokens

    @property
    def servicer(self) -> NotificationServicer:
        return NotificationServicer(self.inbox, self.stream, self.preferences, self.push)


def notification_parts(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    outbox: Outbox,
    clock: Clock = utc_now,
) -> NotificationParts:
    """Wires the use cases; nothing is started yet (`live.run` wakes streams on other
    instances' changes, `snoozes.run` brings back snoozed notifications)."""
    live = LiveChanges(sessions, settings.stream_poll_seconds)
    pages = PageTokens.for_service(settings)
    tokens = UnsubscribeTokens(settings.unsubscribe_key())
    return NotificationParts(
        live=live,
        notifier=Notifier(live, clock),
        inbox=Inbox(sessions, outbox, live, pages, clock),
        stream=NotificationStream(sessions, outbox, live, clock),
        preferences=PreferenceUseCases(sessions, outbox, tokens, clock),
        push=PushUseCases(sessions, outbox, pages, vapid_public_key(settings), clock),
        snoozes=SnoozeCheck(sessions, outbox, live, settings.snooze_check_seconds, clock),
        tokens=tokens,
    )


def vapid_public_key(settings: Settings) -> str:
    """The key browsers subscribe with ("" when push is not configured)."""
    if settings.vapid_private_key is None:
        return ""
    return VapidKeys.from_private_key(
        settings.vapid_private_key.get_secret_value()
    ).public_key_b64url


def delivery_worker(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    outbox: Outbox,
    tokens: UnsubscribeTokens,
    clock: Clock = utc_now,
) -> DeliveryWorker:
    """Sends the email and push deliveries that are due; a channel without its settings (no
    SMTP host, no VAPID key) is left alone: its deliveries wait until it is configured."""
    mailer = None
    if settings.smtp_host:
        password = settings.smtp_password
        mailer = SmtpMailer(
            settings.smtp_host,
            settings.smtp_port,
            username=settings.smtp_username,
            password=password.get_secret_value() if password is not None else None,
            starttls=settings.smtp_starttls,
            timeout_seconds=settings.smtp_timeout_seconds,
        )
    push = None
    if settings.vapid_private_key is not None:
        keys = VapidKeys.from_private_key(settings.vapid_private_key.get_secret_value())
        push = WebPushSender(keys, settings.vapid_subject)
    return DeliveryWorker(
        sessions,
        outbox,
        mailer=mailer,
        composer=MailComposer(settings.email_from),
        push=push,
        tokens=tokens,
        public_base_url=settings.public_base_url,
        poll_seconds=settings.delivery_poll_seconds,
        batch_size=settings.delivery_batch_size,
        clock=clock,
    )


def servicers(parts: NotificationParts) -> list[Registration]:
    return [
        (notification_service_pb2_grpc.add_NotificationServiceServicer_to_server, parts.servicer)
    ]


async def notification_service_parts(context: ServiceContext[Settings]) -> ServiceParts:
    """The inboxes served and kept from events, with the streams woken across instances,
    snoozed notifications brought back and the email and push deliveries sent."""
    settings, sessions, outbox = context.settings, context.sessions, context.outbox
    parts = notification_parts(settings, sessions, outbox)
    worker = delivery_worker(settings, sessions, outbox, parts.tokens)
    return ServiceParts(
        servicers=servicers(parts),
        event_handlers=event_handlers(parts.notifier, outbox),
        background=[parts.live.run, parts.snoozes.run, worker.run],
    )


async def serve() -> None:
    """Run the service until SIGTERM or SIGINT, then stop gracefully."""
    await run_service(Settings, notification_service_parts, migrations=MIGRATIONS)
