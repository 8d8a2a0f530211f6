"""A redelivery storm: the same 10,000 events delivered twice, with ms_notifications killed
(SIGKILL) mid-way and started again, must give exactly 10,000 notifications and 10,000 mails,
counted at a real SMTP server (aiosmtpd), side by side with a bare consumer of the same
records, which sees 20,000.

    .venv/bin/fleet infra run -- .venv/bin/python benchmarks/notifications_redelivery.py
        [--events 10000] [--kill-at 0.3]

(or with the `export` lines `fleet infra up` prints: it needs KNOWLEDGE_TEST_KAFKA_BOOTSTRAP.)

The events are SessionRevoked (a session revoked from the session list) of 1,000 users, ten
each, as ms_auth publishes them on a fresh auth.sessions.v1; security notices, so each goes
in-app and by email whatever the preferences. The users' addresses come first, as
UserRegistered on a fresh auth.users.v1. Every envelope is produced twice (all 10,000, then the
same 10,000 again, same ids), as a relay that died before marking them sent republishes them.

ms_notifications runs as in production, `python -m ms_notifications` on SQLite with its SMTP
host set to the sink in this process. Once the sink has received `--kill-at` of the mails the
service is killed without warning (in-flight transactions lost, Kafka offsets not committed)
and started again on the same database and consumer group; it goes on until every mail is
out. Then its database is read: notifications, and email deliveries sent.

The baseline, in this process: an aiokafka consumer of the same topics in a group of its own
that only notes each record: it sees every copy, which a service without the kit's inbox would
tell twice. Its time to read them all is Kafka's part of the service's.

Measured on 2 cores shared with other work (load average 6.3 at start, 7.8 at end), 10,000
events, the service killed at 3,001 mails:

    records produced                   20,000 (10,000 events, each twice)
    bare consumer: records seen        21,000 in 3.7 s (would tell 20,000 times)
    ms_notifications: notifications    10,000
    email deliveries sent              10,000
    mails received by the sink         10,009, distinct Message-IDs 10,000
    all notified in                    169 s (46x the bare read)
    all mailed in                      409 s
    exactly once: yes

No notification was doubled or lost, and every mail went out. Nine mails reached the server
twice, each time with the same Message-ID (mail clients show one): the server had accepted them
but the delivery's "sent" never committed, so they went again. One is the kill's; the others are
SQLite's single writer: the consumer's batches held the database past a delivery's commit after
its mail was sent (a run of 2,000 events logged 6 "database is locked" and 1 delivery crashed
after sending, for its 1 mail received twice). Toward SMTP at-least-once is what a crash
allows; on PostgreSQL the second cause goes away. Telling (169 s) is the consumer applying
records one partition batch per transaction on the busy SQLite database; mailing is one
delivery per transaction and one SMTP session per mail.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from event_latency import ArrivalLog, bare_consumer, load_average
from knowledge.auth.v1 import session_pb2
from knowledge.auth.v1.events_pb2 import SessionRevoked, UserRegistered
from knowledge.common.v1.event_envelope_pb2 import EventEnvelope
from knowledge.topics import AUTH_SESSIONS_V1, AUTH_USERS_V1
from knowledge_kit.events import create_producer
from knowledge_kit.events.envelope import kafka_headers, new_envelope
from knowledge_kit.testing import KAFKA_BOOTSTRAP_ENV, JwksEndpoint, unique_name
from knowledge_kit.testing.infrastructure import create_topics
from notifications_support import (
    Mailbox,
    NotificationService,
    ensure_deliveries_topic,
    smtp_sink,
)

EVENTS_PER_USER = 10
LIMIT_SECONDS = 1800


async def _until(holds: Callable[[], bool], pause: float = 0.2) -> None:
    while True:
        if holds():
            return
        await asyncio.sleep(pause)


def _count(database: Path, query: str) -> int:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
        return int(connection.execute(query).fetchone()[0])


async def _produce(bootstrap: str, topic: str, envelopes: list[EventEnvelope]) -> None:
    producer = create_producer(bootstrap)
    await producer.start()
    try:
        sent = [
            await producer.send(
                topic,
                envelope.SerializeToString(),
                key=envelope.subject.encode(),
                headers=kafka_headers(envelope),
            )
            for envelope in envelopes
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


async def _run(options: argparse.Namespace, bootstrap: str) -> None:
    print(f"load average at start: {load_average()}")
    users = [f"users/r{number:05d}" for number in range(options.events // EVENTS_PER_USER)]
    events = len(users) * EVENTS_PER_USER
    users_topic = dataclasses.replace(AUTH_USERS_V1, name=unique_name("bench_users"))
    sessions_topic = dataclasses.replace(AUTH_SESSIONS_V1, name=unique_name("bench_sessions"))
    for topic in (users_topic, sessions_topic):
        await create_topics(bootstrap, [topic.name], topic.partitions)
    await ensure_deliveries_topic(bootstrap)
    registered = [
        new_envelope(
            UserRegistered(user=user, email=f"{user.removeprefix('users/')}@example.test"),
            source="ms_auth",
            subject=user,
        )
        for user in users
    ]
    revoked = [
        new_envelope(
            SessionRevoked(
                session=f"{user}/sessions/s{number}",
                user=user,
                reason=session_pb2.SESSION_REVOCATION_REASON_REVOKED,
            ),
            source="ms_auth",
            subject=user,
        )
        for number in range(EVENTS_PER_USER)
        for user in users
    ]
    mailbox = Mailbox()
    arrivals = ArrivalLog()
    endpoint = JwksEndpoint()
    stop = asyncio.Event()
    topics = [users_topic.name, sessions_topic.name]
    with tempfile.TemporaryDirectory() as name:
        directory = Path(name)
        database = directory / "notifications.db"
        async with smtp_sink(mailbox) as smtp_port:
            service = NotificationService(
                directory,
                bootstrap,
                endpoint,
                topics,
                extra={"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port)},
            )
            bare = asyncio.create_task(asyncio.sleep(0))
            try:
                await service.start()
                await _produce(bootstrap, users_topic.name, registered)
                await _until(lambda: _count(database, "SELECT count(*) FROM users") == len(users))
                bare = asyncio.create_task(bare_consumer(bootstrap, topics, arrivals, stop))
                started = time.perf_counter()
                await _produce(bootstrap, sessions_topic.name, revoked + revoked)
                print(f"{2 * events:,} records produced in {time.perf_counter() - started:.1f} s")
                async with asyncio.timeout(LIMIT_SECONDS):
                    await arrivals.wait_for_records(len(registered) + 2 * events)
                    bare_seconds = time.perf_counter() - started
                    await _until(lambda: mailbox.received >= options.kill_at * events, 0.05)
                    service.kill()
                    await service.stop()
                    killed_at = mailbox.received
                    print(f"killed at {killed_at:,} mails; starting again")
                    await service.start()
                    await _until(
                        lambda: _count(database, "SELECT count(*) FROM notifications") >= events
                    )
                    notified_seconds = time.perf_counter() - started
                    await _until(lambda: len(mailbox.message_ids) >= events)
                    mailed_seconds = time.perf_counter() - started
                    await asyncio.sleep(5)  # anything still to come (there should be nothing)
            finally:
                stop.set()
                await asyncio.gather(bare, return_exceptions=True)
                await service.stop()
                endpoint.close()
        log = (directory / "ms_notifications.log").read_text(errors="replace")
        crashed = log.count("delivery_crashed")
        locked = log.count("database is locked")
        notifications = _count(database, "SELECT count(*) FROM notifications")
        sent = _count(database, "SELECT count(*) FROM deliveries WHERE channel = 2 AND state = 3")
    print(f"{'records produced':<34} {2 * events:,} ({events:,} events, each twice)")
    print(
        f"{'bare consumer: records seen':<34} {arrivals.records:,} in {bare_seconds:.1f} s "
        f"(would tell {arrivals.records - len(registered):,} times)"
    )
    print(f"{'ms_notifications: notifications':<34} {notifications:,}")
    print(f"{'email deliveries sent':<34} {sent:,}")
    print(
        f"{'mails received by the sink':<34} {mailbox.received:,}, distinct Message-IDs "
        f"{len(mailbox.message_ids):,}"
    )
    print(
        f"{'all notified in':<34} {notified_seconds:.0f} s "
        f"({notified_seconds / bare_seconds:.0f}x the bare read)"
    )
    print(f"{'all mailed in':<34} {mailed_seconds:.0f} s")
    print(
        f"{'the service logged':<34} {crashed} deliveries crashed after sending, "
        f"{locked} 'database is locked'"
    )
    verdict = notifications == events and len(mailbox.message_ids) == events == sent
    print("exactly once: " + ("yes" if verdict else "NO"))
    print(f"load average at end: {load_average()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000, help="distinct events")
    parser.add_argument("--kill-at", type=float, default=0.3, help="share of mails, then kill")
    options = parser.parse_args()
    if options.events < EVENTS_PER_USER or not 0 < options.kill_at < 1:
        parser.error(f"--events must be at least {EVENTS_PER_USER}, --kill-at in (0, 1)")
    bootstrap = os.environ.get(KAFKA_BOOTSTRAP_ENV)
    if not bootstrap:
        sys.exit(
            f"{KAFKA_BOOTSTRAP_ENV} is unset: run under `fleet infra run --`, or export the "
            "lines `fleet infra up` prints"
        )
    asyncio.run(_run(options, bootstrap))


if __name__ == "__main__":
    main()
