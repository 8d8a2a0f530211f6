"""Fan-out: one event to a space of 5,000 members, until every member has their in-app
notification recorded and until every member's open stream has it, side by side with the same
fan-out recording its NotificationDelivered events one INSERT each (as before kit 1.11.3's
Outbox.record_many).

    .venv/bin/python benchmarks/notifications_fanout.py [--members 5000] [--rounds 3]
        [--database sqlite|postgresql]

(postgresql needs KNOWLEDGE_TEST_POSTGRES_URL: run under `fleet infra run --`, or export the
lines `fleet infra up` prints.)

In this process, on ms_notifications' own use cases and a fresh migrated database: the space's
members are in the kit's membership projection, each has an open stream
(`NotificationStream.stream`, what StreamNotifications serves, opened and past its first
message), and one DocumentCreated by one member is applied through the service's event handlers
in one transaction with the kit's inbox row, exactly as its consumer applies it. "Recorded" is
when that transaction commits: every other member's notification, its three deliveries (in-app
sent, email and push skipped or pending), its numbered change and its NotificationDelivered in
the outbox. "In every stream" is when the last of the open streams has yielded the new
notification. Each round uses a new document, so each tells everyone again.

Measured on 2 cores shared with other work (load average 9.7 at start of the SQLite run, 4.6
at its end; 9.2 and 9.7 around the PostgreSQL one), 5,000 members, median of 3 rounds:

    database     outbox writes                   recorded s   in every stream s
    sqlite       one INSERT per event (before)       11.12        24.22
    sqlite       record_many                          1.60        13.03
    postgresql   one INSERT per event (before)       10.62        24.84
    postgresql   record_many                          4.17        26.72
    ratio before / record_many, recorded: sqlite 7.0x, postgresql 2.5x

Recording is now mostly the notifications' and deliveries' own rows. Reaching every stream is
what is left: each of the 5,000 wakes and reads its change, the notification and its counts in
a transaction of its own, four streams at a time (more waited for pooled connections until the
wait timed out on PostgreSQL), about 5 ms per stream on this machine. One read for all the
streams an event wakes on an instance would be the next step.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from google.protobuf.message import Message
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1.events_pb2 import DocumentCreated
from knowledge_kit.database import create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.events import Outbox
from knowledge_kit.events.consumer import ConsumedEvent, EventHandler
from knowledge_kit.events.envelope import new_envelope
from knowledge_kit.events.inbox import claim_event
from knowledge_kit.spaces.tables import space_memberships
from knowledge_kit.testing import POSTGRES_URL_ENV
from knowledge_kit.testing.infrastructure import throwaway_database
from ms_notifications.config import Settings
from ms_notifications.main import MIGRATIONS, notification_parts
from ms_notifications.repository.work import NotificationWork
from ms_notifications.server.events import event_handlers
from ms_notifications.service.stream import Changed, NotificationStream, StreamItem
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

SPACE = "spaces/all-hands"
AUTHOR = "users/m00000"
STREAM_LIMIT_SECONDS = 300


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def _one_by_one(self: NotificationWork, events: Sequence[tuple[Message, str]]) -> None:
    """The fan-out as it was: one outbox INSERT per NotificationDelivered."""
    for event, recipient in events:
        await self.record(event, recipient=recipient)


@asynccontextmanager
async def _database(kind: str, directory: Path) -> AsyncIterator[str]:
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{directory / 'notifications.db'}"
        await upgrade_database(url, MIGRATIONS)
        yield url
        return
    postgres = os.environ.get(POSTGRES_URL_ENV)
    if not postgres:
        sys.exit(f"{POSTGRES_URL_ENV} is unset: run under `fleet infra run --`")
    async with throwaway_database(postgres, "bench_fanout") as url:
        await upgrade_database(url, MIGRATIONS)
        yield url


async def _round(kind: str, members: int, rounds: int, batched: bool) -> list[tuple[float, float]]:
    users = [f"users/m{number:05d}" for number in range(members)]
    figures: list[tuple[float, float]] = []
    original = NotificationWork.record_many
    if not batched:
        NotificationWork.record_many = _one_by_one  # type: ignore[method-assign]
    try:
        with tempfile.TemporaryDirectory() as name:
            async with _database(kind, Path(name)) as url:
                engine = create_database_engine(url, traced=False)
                sessions = session_factory(engine)
                try:
                    joined = datetime.now(UTC)
                    async with sessions() as session, session.begin():
                        await session.execute(
                            insert(space_memberships),
                            [
                                {"space": SPACE, "member": user, "role": 2, "changed_at": joined}
                                for user in users
                            ],
                        )
                    settings = Settings(stream_poll_seconds=60)
                    outbox = Outbox("ms_notifications")
                    parts = notification_parts(settings, sessions, outbox)
                    handlers = event_handlers(parts.notifier, outbox)
                    for number in range(rounds):
                        figures.append(
                            await _fan_out(sessions, parts.stream, handlers, users, number)
                        )
                finally:
                    await engine.dispose()
    finally:
        NotificationWork.record_many = original  # type: ignore[method-assign]
    return figures


async def _fan_out(
    sessions: async_sessionmaker[AsyncSession],
    stream: NotificationStream,
    handlers: Mapping[type[Message], EventHandler],
    users: list[str],
    number: int,
) -> tuple[float, float]:
    told = [user for user in users if user != AUTHOR]
    streams = [stream.stream(u, u, "") for u in told]
    await asyncio.gather(*(anext(one) for one in streams))  # opened: the unread count
    document = f"{SPACE}/documents/d{number}"
    event = DocumentCreated(
        document=document,
        space=SPACE,
        title=f"Minutes {number}",
        revision=1,
        author=Actor(name=AUTHOR, display_name="Author"),
    )
    envelope = new_envelope(event, source="ms_knowledge", subject=document)

    async def seen(one: AsyncGenerator[StreamItem, None]) -> None:
        while True:
            item = await anext(one)
            if isinstance(item, Changed) and item.notification.link == document:
                return

    waiting = [asyncio.create_task(seen(one)) for one in streams]
    await asyncio.sleep(0)
    started = time.perf_counter()
    async with sessions() as session, session.begin():
        if await claim_event(session, "ms_notifications", envelope.id, "knowledge.documents.v1"):
            await handlers[DocumentCreated](ConsumedEvent(event, envelope, session))
    recorded = time.perf_counter() - started
    async with asyncio.timeout(STREAM_LIMIT_SECONDS):
        await asyncio.gather(*waiting)
    streamed = time.perf_counter() - started
    for one in streams:
        await one.aclose()
    return recorded, streamed


async def _run(options: argparse.Namespace) -> None:
    print(f"load average at start: {load_average()}")
    print(f"{options.members:,} members, median of {options.rounds} rounds")
    print(f"{'database':<12} {'outbox writes':<32} {'recorded s':>10} {'in every stream s':>18}")
    medians: dict[bool, tuple[float, float]] = {}
    for batched in (False, True):
        figures = await _round(options.database, options.members, options.rounds, batched)
        recorded = statistics.median(one[0] for one in figures)
        streamed = statistics.median(one[1] for one in figures)
        medians[batched] = (recorded, streamed)
        label = "record_many" if batched else "one INSERT per event (before)"
        print(f"{options.database:<12} {label:<32} {recorded:>10.2f} {streamed:>18.2f}")
    before, after = medians[False], medians[True]
    print(
        f"ratio before / record_many: {before[0] / after[0]:.1f}x recorded, "
        f"{before[1] / after[1]:.1f}x in every stream"
    )
    print(f"load average at end: {load_average()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=5000, help="members of the space")
    parser.add_argument("--rounds", type=int, default=3, help="events, each to every member")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    options = parser.parse_args()
    if options.members < 2 or options.rounds < 1:
        parser.error("--members must be at least 2 and --rounds at least 1")
    asyncio.run(_run(options))


if __name__ == "__main__":
    main()
