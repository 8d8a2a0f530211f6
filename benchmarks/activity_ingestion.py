"""ms_activity's ingestion: events from real Kafka onto the timelines, against a bare aiokafka
consumer reading the same topic.

    fleet infra run -- .venv/bin/python benchmarks/activity_ingestion.py [--events 50000] [--rounds 2]

Throughput: `--events` envelopes of the consumed topics' kinds (document edits, canvas changes
with two editors, chat messages, views of nothing: the mix a platform produces) are produced
once into a fresh topic of 6 partitions. Then, alternating which goes first, each side reads the
whole topic with a fresh consumer group: the bare side an AIOKafkaConsumer that only counts the
records; the service side the kit's EventConsumer with ms_activity's handlers, each poll's
records applied in one SQLite transaction with their inbox rows and their activities made
pending, and the forwarder beside it inserting the pending activities into ClickHouse in process
(chdb) in batches. The service side's clock runs from its first record handled until the store
has every activity; the store is then asked for the total, which must equal the activities.

Freshness: a producing service commits one document edit every `--interval` seconds with the
kit's outbox (its own SQLite database) and relay; ms_activity consumes the topic, and for each
edit a poller lists the document's timeline (`Timelines.list`, the ListActivities use case)
every 10 ms until the edit is on it. A bare consumer tails the same topic. Printed: commit →
on the timeline and commit → read by the bare consumer, p50/p95.

The goals: at least 5,000 events/s ingested on 2 cores, and commit → timeline p95 ≤ 2 s.

Measured on 2 cores shared with other work (load average 3-6), `--events 50000 --rounds 2
--edits 100`: ms_activity 6,269 and 7,189 events/s (62,500 activities stored each round, as
expected), the bare consumer 682,589 and 435,945 (it reads only; ratio 1.2%); commit → on the
timeline p50 47 ms, p95 57 ms, commit → bare consumer p50 10 ms, p95 14 ms. Before consumed
activities went through the forwarder (one store insert per consumer transaction, ~180
activities each): 4,426 and 3,286 events/s, p95 137 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from aiokafka import AIOKafkaConsumer  # type: ignore[import-untyped]
from aiokafka.admin import AIOKafkaAdminClient, NewTopic  # type: ignore[import-untyped]
from google.protobuf.message import Message
from knowledge.canvas.v1.events_pb2 import CanvasChanged
from knowledge.chat.v1.events_pb2 import MessagePosted
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1.events_pb2 import DocumentUpdated
from knowledge.topics import Topic
from knowledge_kit.auth import Principal
from knowledge_kit.database import UnitOfWork, create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.events import (
    EVENTS_METADATA,
    EventConsumer,
    Outbox,
    create_producer,
    relaying_outbox,
)
from knowledge_kit.events.envelope import kafka_headers, new_envelope
from knowledge_kit.testing import unique_name
from knowledge_kit.testing.infrastructure import KAFKA_BOOTSTRAP_ENV
from ms_activity.config import Settings
from ms_activity.domain.buckets import Dimension, Interval
from ms_activity.domain.filters import Filters
from ms_activity.main import MIGRATIONS, ActivityParts, activity_parts
from ms_activity.server.events import event_handlers
from ms_activity.service.aggregates import AggregateRequest
from ms_activity.service.timelines import TimelineRequest
from ms_activity.store import open_store
from sqlalchemy.ext.asyncio import AsyncEngine

PARTITIONS = 6
SPACE = "spaces/bench"
ADMIN = Principal("users/bench-admin", frozenset({"admin"}))
PEOPLE = [f"users/u{number}" for number in range(50)]


@dataclass(frozen=True, slots=True)
class Rate:
    records: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.records / self.seconds


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def payload(number: int) -> tuple[Message, str]:
    """The `number`th event of the mix and its subject."""
    author = PEOPLE[number % len(PEOPLE)]
    document = f"{SPACE}/documents/d{number % 500}"
    match number % 4:
        case 0 | 1:
            edit = DocumentUpdated(
                document=document,
                space=SPACE,
                title=f"Page {number % 500}",
                revision=number + 2,
                author=Actor(name=author, display_name=author[6:]),
            )
            return edit, document
        case 2:
            canvas = f"{SPACE}/canvases/c{number % 50}"
            editors = [Actor(name=author), Actor(name=PEOPLE[(number + 1) % len(PEOPLE)])]
            return CanvasChanged(
                canvas=canvas, space=SPACE, revision=number, editors=editors
            ), canvas
        case _:
            conversation = f"{author}/conversations/c{number % 20}"
            posted = MessagePosted(
                message=f"{conversation}/messages/m{number}",
                conversation=conversation,
                user=author,
                content="how do I ...",
            )
            return posted, conversation


def activities_of(events: int) -> int:
    """Activities the mix gives: a canvas change counts each of its two editors."""
    return sum(2 if number % 4 == 2 else 1 for number in range(events))


async def new_topic(bootstrap: str, prefix: str) -> str:
    name = unique_name(prefix)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, PARTITIONS, 1)])
    finally:
        await admin.close()
    return name


async def produce(bootstrap: str, topic: str, events: int) -> None:
    producer = create_producer(bootstrap)
    await producer.start()
    try:
        now = datetime.now(UTC)
        pending = []
        for number in range(events):
            event, subject = payload(number)
            envelope = new_envelope(event, source="ms_bench", subject=subject)
            envelope.time.FromDatetime(now - timedelta(seconds=events - number))
            pending.append(
                await producer.send(
                    topic,
                    envelope.SerializeToString(),
                    key=subject.encode(),
                    headers=kafka_headers(envelope),
                )
            )
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def bare_side(bootstrap: str, topic: str, events: int) -> Rate:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=unique_name("bench-bare"),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        read = 0
        started = 0.0
        while read < events:
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                if records and not started:
                    started = time.perf_counter()
                read += len(records)
            if batches:
                await consumer.commit()
        return Rate(read, time.perf_counter() - started)
    finally:
        await consumer.stop()


async def service_side(
    bootstrap: str, topic: str, events: int, parts: ActivityParts, engine: AsyncEngine
) -> Rate:
    """From the first record handled until the store has every activity of the events."""
    consumer = EventConsumer(
        service="ms_activity",
        bootstrap=bootstrap,
        topics=[topic],
        sessions=session_factory(engine),
        handlers=event_handlers(parts.ingestion),
        group_id=unique_name("bench-activity"),
    )
    stop = asyncio.Event()
    running = asyncio.create_task(consumer.run(stop))
    forwarding = asyncio.create_task(parts.forwarder.run(stop))
    expected = activities_of(events)
    started = 0.0
    try:
        while parts.forwarder.forwarded < expected:
            for task in (running, forwarding):
                if task.done():
                    task.result()
            if consumer.records_handled and not started:
                started = time.perf_counter()
            await asyncio.sleep(0.005)
        return Rate(consumer.records_handled, time.perf_counter() - started)
    finally:
        stop.set()
        await asyncio.gather(running, forwarding)


async def stored_total(parts: ActivityParts) -> int:
    now = datetime.now(UTC)
    aggregate, _ = await parts.aggregates.aggregate(
        ADMIN,
        AggregateRequest(
            parent="",
            start=now - timedelta(days=2),
            end=now,
            interval=Interval.DAY,
            time_zone="UTC",
            filters=Filters(),
            breakdown=Dimension.NONE,
            breakdown_limit=10,
            top_count=0,
        ),
    )
    return aggregate.total


async def fresh_service(workdir: Path, bootstrap: str) -> tuple[ActivityParts, AsyncEngine]:
    """ms_activity's use cases on a fresh SQLite database and a fresh ClickHouse database."""
    name = unique_name("activity").replace("-", "_")
    url = f"sqlite+aiosqlite:///{workdir / name}.db"
    await upgrade_database(url, str(MIGRATIONS))
    settings = Settings(database_url=url, chdb_path=str(workdir / "chdb"), clickhouse_database=name)
    store = await open_store(settings)
    engine = create_database_engine(url, traced=False)
    return activity_parts(settings, session_factory(engine), store), engine


async def freshness(
    bootstrap: str, workdir: Path, edits: int, interval: float
) -> tuple[list[float], list[float]]:
    """Commit → on the timeline and commit → read by a bare consumer, in ms, per edit."""
    topic_name = await new_topic(bootstrap, "bench-activity-fresh")
    topic = Topic(
        name=topic_name,
        owner="ms_knowledge",
        description="benchmark edits",
        key="document",
        partitions=PARTITIONS,
        retention_hours=1,
        event_types=(DocumentUpdated.DESCRIPTOR.full_name,),
    )
    parts, engine = await fresh_service(workdir, bootstrap)
    producer_url = f"sqlite+aiosqlite:///{workdir / unique_name('producer')}.db"
    producer_engine = create_database_engine(producer_url, traced=False)
    async with producer_engine.begin() as connection:
        await connection.run_sync(EVENTS_METADATA.create_all)
    producer_sessions = session_factory(producer_engine)
    consumer = EventConsumer(
        service="ms_activity",
        bootstrap=bootstrap,
        topics=[topic_name],
        sessions=session_factory(engine),
        handlers=event_handlers(parts.ingestion),
        group_id=unique_name("bench-activity-fresh"),
    )
    bare = AIOKafkaConsumer(
        topic_name,
        bootstrap_servers=bootstrap,
        group_id=unique_name("bench-bare-fresh"),
        auto_offset_reset="earliest",
    )
    await bare.start()
    read: dict[str, float] = {}

    async def tail(stop: asyncio.Event) -> None:
        while not stop.is_set():
            for records in (await bare.getmany(timeout_ms=100)).values():
                now = time.perf_counter()
                for record in records:
                    read.setdefault(record.key.decode(), now)

    async def on_timeline(document: str, committed: float) -> float:
        while True:
            page = await parts.timelines.list(
                ADMIN, TimelineRequest(document, 1, "", None, None, Filters())
            )
            if page.items:
                return (time.perf_counter() - committed) * 1000
            await asyncio.sleep(0.01)

    outbox = Outbox("ms_knowledge")
    stop = asyncio.Event()
    background = [
        asyncio.create_task(consumer.run(stop)),
        asyncio.create_task(parts.forwarder.run(stop)),
        asyncio.create_task(tail(stop)),
    ]
    timeline_ms: list[asyncio.Task[float]] = []
    committed_at: dict[str, float] = {}
    await asyncio.sleep(3)  # let both groups settle before the first edit
    try:
        async with relaying_outbox(producer_sessions, bootstrap, client_id="ms_knowledge"):
            for _ in range(edits):
                document = f"{SPACE}/documents/f{uuid.uuid4().hex[:12]}"
                edit = DocumentUpdated(
                    document=document, space=SPACE, revision=2, author=Actor(name=PEOPLE[0])
                )
                async with UnitOfWork(producer_sessions) as uow:
                    await outbox.record(uow.session, topic, edit, subject=document)
                    await uow.commit()
                committed_at[document] = time.perf_counter()
                timeline_ms.append(
                    asyncio.create_task(on_timeline(document, committed_at[document]))
                )
                await asyncio.sleep(interval)
            on_timeline_ms = await asyncio.wait_for(asyncio.gather(*timeline_ms), 120)
    finally:
        stop.set()
        await asyncio.gather(*background, return_exceptions=True)
        await bare.stop()
        await parts.forwarder.store.close()
        await engine.dispose()
        await producer_engine.dispose()
    bare_ms = [(read[doc] - at) * 1000 for doc, at in committed_at.items() if doc in read]
    return list(on_timeline_ms), bare_ms


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--edits", type=int, default=100, help="edits timed for freshness")
    parser.add_argument("--interval", type=float, default=0.1, help="seconds between edits")
    options = parser.parse_args()
    bootstrap = os.environ.get(KAFKA_BOOTSTRAP_ENV)
    if not bootstrap:
        sys.exit(f"run under `fleet infra run --`: {KAFKA_BOOTSTRAP_ENV}")
    print(f"{options.events} events, {PARTITIONS} partitions; load average {_load_average()}")
    with tempfile.TemporaryDirectory(prefix="activity-bench-") as directory:
        workdir = Path(directory)
        topic = await new_topic(bootstrap, "bench-activity")
        started = time.perf_counter()
        await produce(bootstrap, topic, options.events)
        print(f"  produced in {time.perf_counter() - started:.1f} s", flush=True)
        rates: dict[str, list[float]] = {"service": [], "bare": []}
        for round_number in range(options.rounds):
            order = ("service", "bare") if round_number % 2 == 0 else ("bare", "service")
            for side in order:
                if side == "bare":
                    rate = await bare_side(bootstrap, topic, options.events)
                    checked = ""
                else:
                    parts, engine = await fresh_service(workdir, bootstrap)
                    try:
                        rate = await service_side(bootstrap, topic, options.events, parts, engine)
                        stored = await stored_total(parts)
                    finally:
                        await parts.forwarder.store.close()
                        await engine.dispose()
                    expected = activities_of(options.events)
                    checked = f", {stored} activities stored (expected {expected})"
                rates[side].append(rate.per_second)
                print(
                    f"round {round_number + 1} {side:7}: {rate.per_second:9.0f} events/s "
                    f"({rate.records} in {rate.seconds:.2f} s{checked})",
                    flush=True,
                )
        service, bare = (statistics.median(rates[side]) for side in ("service", "bare"))
        print(
            f"service/bare throughput {service / bare:.1%} (median {service:.0f} vs {bare:.0f} events/s)"
        )
        timeline_ms, bare_ms = await freshness(bootstrap, workdir, options.edits, options.interval)
    print(
        f"commit -> on the timeline: p50 {percentile(timeline_ms, 0.5):.0f} ms, "
        f"p95 {percentile(timeline_ms, 0.95):.0f} ms ({len(timeline_ms)} edits); "
        f"commit -> bare consumer: p50 {percentile(bare_ms, 0.5):.0f} ms, "
        f"p95 {percentile(bare_ms, 0.95):.0f} ms"
    )
    print(f"load average at end: {_load_average()}")


def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    asyncio.run(main())
