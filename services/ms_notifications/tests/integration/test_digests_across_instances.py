"""Two instances' delivery workers sending the same users' daily digests at once, on
PostgreSQL: every notification goes out in exactly one mail, never in two digests, and every
email delivery is recorded sent, in as many digests as its user got mails."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiosmtpd.smtp import SMTP, Envelope, Session
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1.events_pb2 import DocumentCreated
from knowledge_kit.database.engine import create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.events import Outbox
from knowledge_kit.testing.infrastructure import throwaway_database
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_notifications.adapters.email import MailComposer, SmtpMailer
from ms_notifications.config import Settings
from ms_notifications.domain.notifications import Category, Channel, DeliveryState
from ms_notifications.main import NotificationParts, notification_parts
from ms_notifications.repository.notifications import InboxFilter
from ms_notifications.service.delivery import DeliveryWorker
from ms_notifications.service.preferences import RequestedCategory, RequestedPreferences

from ..channels.smtp_servers import Mailbox, smtp_server
from ..support import Events, Spaces

ADA = "users/ada"
SPACE = "spaces/handbook"
USERS = [f"users/u{number:02d}" for number in range(12)]
TITLES = [f"Document {number}" for number in range(6)]
DAILY = 3
WEDNESDAY_10_BERLIN = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)
THURSDAY_8_BERLIN = datetime(2026, 6, 11, 6, 0, tzinfo=UTC)
LIMIT_SECONDS = 120


class MovingClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class SlowMailbox(Mailbox):
    """Takes a moment to accept each mail, as real servers do: the instances' transactions,
    which hold their deliveries while the mail goes out, overlap."""

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
async def database_url(postgres_url: str, service_migrations: Path) -> AsyncIterator[str]:
    """Always PostgreSQL: SQLite has one writer and no row locks, so one instance only."""
    async with throwaway_database(postgres_url, "test") as url:
        await upgrade_database(url, service_migrations)
        yield url


@pytest.fixture
def clock() -> MovingClock:
    return MovingClock(WEDNESDAY_10_BERLIN)


@pytest.fixture
def parts(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: MovingClock
) -> NotificationParts:
    return notification_parts(settings, sessions, Outbox("ms_notifications"), clock)


async def drain(worker: DeliveryWorker) -> int:
    """Run the worker's rounds until nothing is due; how many deliveries it handled."""
    handled = 0
    while (more := await worker.run_once()) > 0:
        handled += more
    return handled


async def test_two_instances_never_put_one_notification_in_two_digests(
    parts: NotificationParts,
    events: Events,
    spaces: Spaces,
    database_url: str,
    clock: MovingClock,
) -> None:
    await spaces.add(SPACE, ADA, *USERS)
    for user in USERS:
        await events.register(user, email=f"{user.removeprefix('users/')}@example.test")
        daily = RequestedCategory(int(Category.DOCUMENT), (1, 2), DAILY)
        await parts.preferences.update(
            user,
            RequestedPreferences(
                f"{user}/notificationPreferences", (daily,), "", "Europe/Berlin", (0, 0)
            ),
            {"categories", "time_zone"},
        )
    for title in TITLES:
        document = f"{SPACE}/documents/{title.lower().replace(' ', '-')}"
        await events.apply(
            DocumentCreated(
                document=document,
                space=SPACE,
                title=title,
                revision=1,
                author=Actor(name=ADA, display_name="Ada"),
            )
        )

    mailbox = SlowMailbox()
    engines = [create_database_engine(database_url, traced=False) for _ in range(2)]
    try:
        async with smtp_server(mailbox) as port:
            workers = [
                DeliveryWorker(
                    session_factory(engine),
                    Outbox("ms_notifications"),
                    mailer=SmtpMailer("127.0.0.1", port, timeout_seconds=10),
                    composer=MailComposer("Knowledge <notifications@knowledge.test>"),
                    push=None,
                    tokens=parts.tokens,
                    public_base_url="https://knowledge.test",
                    batch_size=5,
                    clock=clock,
                )
                for engine in engines
            ]
            assert await drain(workers[0]) == len(USERS) * len(TITLES)  # all held till 8:00
            clock.now = THURSDAY_8_BERLIN
            async with asyncio.timeout(LIMIT_SECONDS):
                handled = await asyncio.gather(*(drain(one) for one in workers))
    finally:
        for engine in engines:
            await engine.dispose()

    assert all(handled), f"both instances sent digests: {handled}"
    told: Counter[tuple[str, str]] = Counter()
    for envelope, mail in zip(mailbox.received, mailbox.messages(), strict=True):
        [address] = envelope.rcpt_tos
        text = mail.get_body(preferencelist=("plain",))
        assert text is not None
        for title in TITLES:
            if title in text.get_content():
                told[(address, title)] += 1
    expected = {(f"{u.removeprefix('users/')}@example.test", t) for u in USERS for t in TITLES}
    assert set(told) == expected and set(told.values()) == {1}

    mails = Counter(address for envelope in mailbox.received for address in envelope.rcpt_tos)
    for user in USERS:
        listed = await parts.inbox.list_notifications(user, user, InboxFilter(), 50, "")
        digests = set()
        for notification in listed.page.items:
            page = await parts.inbox.deliveries(user, notification.name, 10, "")
            [email] = [one for one in page.items if one.channel is Channel.EMAIL]
            assert email.state is DeliveryState.SENT
            assert email.digest.startswith(f"{user}/digests/")
            digests.add(email.digest)
        assert len(digests) == mails[f"{user.removeprefix('users/')}@example.test"]
