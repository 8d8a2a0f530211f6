"""The delivery worker against a real SMTP server and a real push service: mail goes out once,
waits out an SMTP outage, is retried and given up with NotificationFailed, is held through quiet
hours and gathered into digests on the user's clock; pushes reach devices and gone
subscriptions are removed. What users see is read back through ListDeliveries' use case."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

import pytest
from google.protobuf.message import Message
from knowledge.auth.v1 import user_pb2
from knowledge.auth.v1.events_pb2 import UserRoleChanged
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.common.v1.event_envelope_pb2 import EventEnvelope
from knowledge.knowledge.v1.events_pb2 import DocumentCreated
from knowledge.notifications.v1.events_pb2 import NotificationDelivered, NotificationFailed
from knowledge_kit.database import UnitOfWork
from knowledge_kit.events import EVENTS_METADATA, Outbox
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_notifications.adapters.email import MailComposer, SmtpMailer
from ms_notifications.adapters.web_push import VapidKeys, WebPushSender
from ms_notifications.config import Settings
from ms_notifications.domain.notifications import Category, Channel, Delivery, DeliveryState
from ms_notifications.domain.schedule import MAX_ATTEMPTS, retry_delay
from ms_notifications.main import NotificationParts, notification_parts
from ms_notifications.repository.notifications import InboxFilter
from ms_notifications.repository.tables import preferences as preference_rows
from ms_notifications.repository.work import NotificationWork
from ms_notifications.service.delivery import DeliveryWorker
from ms_notifications.service.preferences import RequestedCategory, RequestedPreferences

from ..channels.push_service import BrowserSubscription, push_service
from ..channels.smtp_servers import Mailbox, closed_port, smtp_server
from ..support import Events, Spaces

ADA, BOB = "users/ada", "users/bob"
SPACE = "spaces/handbook"
BASE_URL = "https://knowledge.test"
IN_APP, EMAIL, PUSH = (int(channel) for channel in (Channel.IN_APP, Channel.EMAIL, Channel.PUSH))
WEDNESDAY_10_BERLIN = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)

M = TypeVar("M", bound=Message)


class MovingClock:
    """The time the service reads, moved by the test."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock(WEDNESDAY_10_BERLIN)


@pytest.fixture
def parts(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: MovingClock
) -> NotificationParts:
    """The use cases on the test database, on the test's clock."""
    return notification_parts(settings, sessions, Outbox("ms_notifications"), clock)


def worker(
    sessions: async_sessionmaker[AsyncSession],
    parts: NotificationParts,
    clock: MovingClock,
    *,
    smtp_port: int | None = None,
    push: WebPushSender | None = None,
) -> DeliveryWorker:
    mailer = SmtpMailer("127.0.0.1", smtp_port, timeout_seconds=5) if smtp_port else None
    return DeliveryWorker(
        sessions,
        Outbox("ms_notifications"),
        mailer=mailer,
        composer=MailComposer("Knowledge <notifications@knowledge.test>"),
        push=push,
        tokens=parts.tokens,
        public_base_url=BASE_URL,
        clock=clock,
    )


async def bob_prefers(
    parts: NotificationParts,
    channels: tuple[int, ...] = (IN_APP, EMAIL),
    frequency: int = 1,
    time_zone: str = "Europe/Berlin",
    quiet_hours: tuple[int, int] = (0, 0),
) -> None:
    category = RequestedCategory(int(Category.DOCUMENT), channels, frequency)
    requested = RequestedPreferences(
        f"{BOB}/notificationPreferences", (category,), "", time_zone, quiet_hours
    )
    await parts.preferences.update(BOB, requested, {"categories", "time_zone", "quiet_hours"})


async def ada_creates(events: Events, *titles: str) -> None:
    """Ada creates documents in Bob's space: each tells Bob."""
    for title in titles:
        document = f"{SPACE}/documents/{title.lower().replace(' ', '-')}"
        author = Actor(name=ADA, display_name="Ada")
        await events.apply(
            DocumentCreated(document=document, space=SPACE, title=title, revision=1, author=author)
        )


@pytest.fixture
async def bob(events: Events, spaces: Spaces) -> str:
    """Bob, with an email address, in Ada's space."""
    await events.register(BOB, email="bob@example.test", display_name="Bob Example")
    await spaces.add(SPACE, ADA, BOB)
    return BOB


async def deliveries(parts: NotificationParts, channel: Channel) -> list[Delivery]:
    """Bob's deliveries through `channel`, oldest notification first, as ListDeliveries shows."""
    listed = await parts.inbox.list_notifications(BOB, BOB, InboxFilter(), 50, "")
    found = []
    for notification in reversed(listed.page.items):
        page = await parts.inbox.deliveries(BOB, notification.name, 10, "")
        found += [one for one in page.items if one.channel is channel]
    return found


async def published(sessions: async_sessionmaker[AsyncSession], kind: type[M]) -> list[M]:
    """The events of `kind` recorded in the outbox, in order."""
    outbox = EVENTS_METADATA.tables["outbox_events"]
    async with sessions() as session:
        rows = await session.execute(select(outbox.c.envelope).order_by(outbox.c.position))
        envelopes = [EventEnvelope.FromString(row) for row in rows.scalars()]
    found = []
    for envelope in envelopes:
        event = kind()
        if envelope.payload.Unpack(event):
            found.append(event)
    return found


async def test_an_email_goes_out_once_and_is_recorded_sent(
    parts: NotificationParts,
    events: Events,
    bob: str,
    sessions: async_sessionmaker[AsyncSession],
    clock: MovingClock,
) -> None:
    await bob_prefers(parts)
    await ada_creates(events, "Onboarding")
    mailbox = Mailbox()
    async with smtp_server(mailbox) as port:
        sending = worker(sessions, parts, clock, smtp_port=port)
        assert await sending.run_once() == 1
        assert await sending.run_once() == 0

    [mail] = mailbox.messages()
    assert mailbox.received[0].rcpt_tos == ["bob@example.test"]
    assert mail["To"] == "Bob Example <bob@example.test>"
    assert "Onboarding" in mail["Subject"]
    link = mail["List-Unsubscribe"].strip("<>")
    assert link.startswith(f"{BASE_URL}/unsubscribe?token=")
    [token] = parse_qs(urlsplit(link).query)["token"]
    assert parts.tokens.verify(token) == (BOB, int(Category.DOCUMENT))
    [sent] = await deliveries(parts, Channel.EMAIL)
    assert (sent.state, sent.attempts, sent.sent_at, sent.last_error) == (
        DeliveryState.SENT,
        1,
        clock.now,
        "",
    )
    [delivered] = [
        event
        for event in await published(sessions, NotificationDelivered)
        if event.channel == EMAIL
    ]
    assert delivered.recipient == BOB


async def test_an_smtp_outage_delays_mail_and_never_loses_or_doubles_it(
    parts: NotificationParts,
    events: Events,
    bob: str,
    sessions: async_sessionmaker[AsyncSession],
    clock: MovingClock,
) -> None:
    await bob_prefers(parts)
    await ada_creates(events, "Onboarding")
    port = closed_port()
    sending = worker(sessions, parts, clock, smtp_port=port)
    for _ in range(3 * MAX_ATTEMPTS):  # far longer than the retries of a refused mail
        await sending.run_once()
        clock.now += timedelta(minutes=10)
    [waiting] = await deliveries(parts, Channel.EMAIL)
    assert (waiting.state, waiting.attempts) == (DeliveryState.PENDING, 0)
    assert waiting.last_error.startswith("SMTP unreachable")

    mailbox = Mailbox()
    async with smtp_server(mailbox, port=port):
        assert await sending.run_once() == 1
        clock.now += timedelta(hours=1)
        await sending.run_once()
    assert len(mailbox.messages()) == 1
    [sent] = await deliveries(parts, Channel.EMAIL)
    assert (sent.state, sent.attempts, sent.last_error) == (DeliveryState.SENT, 1, "")
    assert await published(sessions, NotificationFailed) == []


async def test_a_refused_mailbox_fails_for_good_with_notification_failed(
    parts: NotificationParts,
    events: Events,
    bob: str,
    sessions: async_sessionmaker[AsyncSession],
    clock: MovingClock,
) -> None:
    await bob_prefers(parts)
    await ada_creates(events, "Onboarding")
    async with smtp_server(Mailbox(refuse_recipient="550 5.1.1 mailbox unavailable")) as port:
        await worker(sessions, parts, clock, smtp_port=port).run_once()

    [failed] = await deliveries(parts, Channel.EMAIL)
    assert (failed.state, failed.attempts) == (DeliveryState.FAILED, 1)
    assert failed.last_error == "SMTP 550 5.1.1 mailbox unavailable"
    [event] = await published(sessions, NotificationFailed)
    assert (event.recipient, event.channel, event.category, event.attempts) == (
        BOB,
        EMAIL,
        int(Category.DOCUMENT),
        1,
    )
    assert event.reason == failed.last_error
    assert event.notification.startswith(f"{BOB}/notifications/")


async def test_a_mail_refused_for_now_is_retried_with_backoff_then_given_up(
    parts: NotificationParts,
    events: Events,
    bob: str,
    sessions: async_sessionmaker[AsyncSession],
    clock: MovingClock,
) -> None:
    await bob_prefers(parts)
    await ada_creates(events, "Onboarding")
    waits = []
    async with smtp_server(Mailbox(refuse_data="451 4.3.0 try again later")) as port:
        sending = worker(sessions, parts, clock, smtp_port=port)
        for _ in range(MAX_ATTEMPTS):
            assert await sending.run_once() == 1
            assert await sending.run_once() == 0  # not due again before its retry time
            [delivery] = await deliveries(parts, Channel.EMAIL)
            if delivery.next_attempt_at is not None:
                waits.append(delivery.next_attempt_at - clock.now)
                clock.now = delivery.next_attempt_at

    assert waits == [retry_delay(attempt) for attempt in range(1, MAX_ATTEMPTS)]
    assert (delivery.state, delivery.attempts) == (DeliveryState.FAILED, MAX_ATTEMPTS)
    assert delivery.last_error == "SMTP 451 4.3.0 try again later"
    [event] = await published(sessions, NotificationFailed)
    assert event.attempts == MAX_ATTEMPTS


async def test_quiet_hours_hold_mail_until_morning_on_the_user_s_clock(
    parts: NotificationParts,
    events: Events,
    bob: str,
    sessions: async_sessionmaker[AsyncSession],
    clock: MovingClock,
) -> None:
    await bob_prefers(parts, quiet_hours=(22 * 60, 7 * 60))
    clock.now = datetime(2026, 6, 10, 20, 30, tzinfo=UTC)  # 22:30 in Berlin
    await ada_creates(events, "Onboarding")
    mailbox = Mailbox()
    async with smtp_server(mailbox) as port:
        sending = worker(sessions, parts, clock, smtp_port=port)
        await sending.run_once()
        [held] = await deliveries(parts, Channel.EMAIL)
        assert held.state is DeliveryState.HELD
        assert held.next_attempt_at == datetime(2026, 6, 11, 5, 0, tzinfo=UTC)  # 07:00 in Berlin
        clock.now = datetime(2026, 6, 11, 4, 59, tzinfo=UTC)
        assert await sending.run_once() == 0
        assert mailbox.messages() == []
        clock.now = datetime(2026, 6, 11, 5, 0, tzinfo=UTC)
        assert await sending.run_once() == 1
    assert len(mailbox.messages()) == 1
    [sent] = await deliveries(parts, Channel.EMAIL)
    assert sent.state is DeliveryState.SENT


async def test_a_delivery_that_cannot_be_handled_holds_up_no_other(
    parts: NotificationParts,
    events: Events,
    bob: str,
    spaces: Spaces,
    sessions: async_sessionmaker[AsyncSession],
    clock: MovingClock,
) -> None:
    await bob_prefers(parts)
    # Ada's preferences as no request could have written them.
    await events.register(ADA, email="ada@example.test")
    await parts.preferences.update(
        ADA,
        RequestedPreferences(
            f"{ADA}/notificationPreferences",
            (RequestedCategory(int(Category.DOCUMENT), (IN_APP, EMAIL), 1),),
            "",
            "",
            (0, 0),
        ),
        {"categories"},
    )
    async with sessions() as session, session.begin():
        await session.execute(
            update(preference_rows)
            .where(preference_rows.c.user == ADA)
            .values(quiet_start_minute=5000, quiet_end_minute=1)
        )
    author = Actor(name=BOB, display_name="Bob")
    await events.apply(
        DocumentCreated(
            document=f"{SPACE}/documents/bobs",
            space=SPACE,
            title="Bob's",
            revision=1,
            author=author,
        )
    )
    clock.now += timedelta(seconds=1)
    await ada_creates(events, "Onboarding")  # due after Ada's
    mailbox = Mailbox()
    async with smtp_server(mailbox) as port:
        assert await worker(sessions, parts, clock, smtp_port=port).run_once() == 2
    assert [mail["To"] for mail in mailbox.messages()] == ["Bob Example <bob@example.test>"]
    listed = await parts.inbox.list_notifications(ADA, ADA, InboxFilter(), 50, "")
    page = await parts.inbox.deliveries(ADA, listed.page.items[0].name, 10, "")
    [crashed] = [one for one in page.items if one.channel is Channel.EMAIL]
    assert (crashed.state, crashed.attempts) == (DeliveryState.PENDING, 1)
    assert crashed.last_error == "internal error: ValidationError"


async def test_a_security_notice_goes_at_night_without_an_unsubscribe_link(
    parts: NotificationParts,
    events: Events,
    bob: str,
    sessions: async_sessionmaker[AsyncSession],
    clock: MovingClock,
) -> None:
    await bob_prefers(parts, quiet_hours=(22 * 60, 7 * 60))
    clock.now = datetime(2026, 6, 10, 22, 0, tzinfo=UTC)  # midnight in Berlin
    await events.apply(
        UserRoleChanged(
            user=BOB,
            previous_role=user_pb2.PLATFORM_ROLE_MEMBER,
            role=user_pb2.PLATFORM_ROLE_ADMIN,
            changed_by=Actor(name=ADA, display_name="Ada"),
        )
    )
    mailbox = Mailbox()
    async with smtp_server(mailbox) as port:
        await worker(sessions, parts, clock, smtp_port=port).run_once()
    [mail] = mailbox.messages()
    assert "administrator" in mail["Subject"]
    assert mail["List-Unsubscribe"] is None


async def test_a_daily_digest_is_one_mail_with_every_notification_since_the_last(
    parts: NotificationParts,
    events: Events,
    bob: str,
    sessions: async_sessionmaker[AsyncSession],
    clock: MovingClock,
) -> None:
    await bob_prefers(parts, frequency=3)  # daily, Europe/Berlin
    await ada_creates(events, "Onboarding", "Holidays", "Expenses")
    mailbox = Mailbox()
    async with smtp_server(mailbox) as port:
        sending = worker(sessions, parts, clock, smtp_port=port)
        await sending.run_once()
        held = await deliveries(parts, Channel.EMAIL)
        tomorrow_8_berlin = datetime(2026, 6, 11, 6, 0, tzinfo=UTC)
        assert [(one.state, one.next_attempt_at) for one in held] == 3 * [
            (DeliveryState.HELD, tomorrow_8_berlin)
        ]
        assert mailbox.messages() == []
        clock.now = tomorrow_8_berlin
        await sending.run_once()
        clock.now += timedelta(minutes=30)
        await ada_creates(events, "Travel")  # after the digest: in tomorrow's
        await sending.run_once()

    [digest] = mailbox.messages()
    assert digest["Subject"] == "3 new notifications in document"
    text = digest.get_body(preferencelist=("plain",))
    assert text is not None
    for title in ("Onboarding", "Holidays", "Expenses"):
        assert title in text.get_content()
    assert "Travel" not in text.get_content()
    *sent, later = await deliveries(parts, Channel.EMAIL)
    assert {(one.state, one.digest) for one in sent} == {
        (DeliveryState.SENT, f"{BOB}/digests/{sent[0].digest.rsplit('/', 1)[1]}")
    }
    assert (later.state, later.next_attempt_at) == (
        DeliveryState.HELD,
        datetime(2026, 6, 12, 6, 0, tzinfo=UTC),
    )


async def test_push_reaches_the_devices_and_subscriptions_gone_are_removed(
    parts: NotificationParts,
    events: Events,
    bob: str,
    sessions: async_sessionmaker[AsyncSession],
    clock: MovingClock,
) -> None:
    await bob_prefers(parts, channels=(IN_APP, PUSH))
    laptop, old_phone = BrowserSubscription(), BrowserSubscription()
    async with push_service() as service:
        service.answers["old-phone"] = 410
        async with UnitOfWork(sessions) as uow:
            work = NotificationWork(uow.session, Outbox("ms_notifications"))
            for device, browser in (("laptop", laptop), ("old-phone", old_phone)):
                endpoint = service.endpoint(device)
                await work.push.register(
                    BOB, endpoint, browser.p256dh, browser.auth, device, clock()
                )
            await uow.commit()
        await ada_creates(events, "Onboarding")
        sender = WebPushSender(VapidKeys.generate(), "mailto:notifications@knowledge.test")
        assert await worker(sessions, parts, clock, push=sender).run_once() == 1

    [push] = [one for one in service.received if one.path == "/push/laptop"]
    shown = json.loads(laptop.decrypt(push.body))
    assert "Onboarding" in shown["title"]
    assert shown["link"] == f"{BASE_URL}/{SPACE}/documents/onboarding"
    assert shown["notification"].startswith(f"{BOB}/notifications/")
    [sent] = await deliveries(parts, Channel.PUSH)
    assert (sent.state, sent.attempts) == (DeliveryState.SENT, 1)
    async with UnitOfWork(sessions) as uow:
        remaining = await NotificationWork(uow.session, Outbox("ms_notifications")).push.of_user(
            BOB
        )
    assert [one.device_label for one in remaining] == ["laptop"]
