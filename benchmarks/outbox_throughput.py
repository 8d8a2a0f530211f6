"""What the kit's event path costs: events committed with a state change, relayed from the outbox
and applied once by a consumer, against raw aiokafka producing and consuming the same payloads.

    fleet infra run -- .venv/bin/python benchmarks/outbox_throughput.py [--events 5000] [--rounds 2]
        [--writers 16] [--per-commit 1] [--handler staged|direct] [--layout services|one-process]
        [--raw-producer aiokafka|kit]

Kit side: each event is recorded by `Outbox.record_many` in its own transaction with a state row
(the way a use case commits), on PostgreSQL; `relaying_outbox` publishes the unsent rows (idempotent
producer, acks=all); an `EventConsumer` applies each event in one transaction with its inbox row
and the handler's own row, which the handler stages (`stage_insert`, the default) or inserts at
once (`--handler direct`, one round trip per event). An event counts as applied when its
consumer transaction has committed. Raw side: one AIOKafkaProducer with the kit's guarantees
(idempotent, acks=all) and aiokafka's defaults otherwise sends the same envelopes as fast as it
can, a record at a time, and a bare AIOKafkaConsumer reads them; `--raw-producer kit` gives it
the kit's producer instead (its batch size and linger; figures before kit 1.18.0 were taken that
way, with the kit's 5 ms linger then, which slowed the raw side too). Both sides use a
fresh topic of the same partitions, and alternate which goes first.

Where each side runs (`--layout`): `services`, the default since kit 1.19, puts each side's
consumer in a process of its own, as the consuming service runs apart from the producing one:
the kit side's writers and relay in this process and its `EventConsumer` in another, the raw
producer here and the raw consumer in another. `one-process` runs all of a side on this one
event loop, the kit side's writers, relay and consumer together (every figure before kit 1.19).

Printed per side: throughput (events from the first commit/send to the last one applied/read),
latency from commit (kit) or send (raw) to the consumer, p50/p95, and the CPU per event of the
side's own processes (PostgreSQL's and Kafka's not counted); then kit/raw ratios. The goal: the
kit keeps at least half of raw throughput.

A third side shows the ceiling the database sets: the kit side's transactions (state rows and
outbox rows, `--per-commit` of each, from as many writers) written by bare asyncpg, nothing
relayed. `--per-commit 50` commits 50 state changes and their events per transaction (a fan-out),
so that the relay and the consumer, not the transactions, bound the kit side.

Measured on 2 shared cores (other work running; load averages as printed), 16 writers, medians.

Kit 1.16 (handlers stage their rows; one consumer transaction and one offset commit per poll; the
inbox claim one array statement), 5,000 events at 50 per commit, 3 rounds each run:
  load 2.1-2.5:  kit 7,474 vs raw 27,460 events/s (27.2%), p95 344 ms commit to applied (raw 35)
  load 7.1-7.8:  kit 3,950 vs raw 13,510 events/s (29.2%), p95 629 ms (raw 132)
  load 9.8-11.7: kit 3,952 vs raw  8,966 events/s (44.1%), p95 597 ms (raw 94)
  load 10-11:    kit 3,404 vs raw  9,626 events/s (35.4%), p95 768 ms (raw 147; kit 1.16.1,
                 one clock reading and one trace context per record_many)
  load 7.8-10.5: kit 2,089 vs raw  8,767 events/s (23.8%; by round 39%, 36%, 24%), p95 1.3 s
  load 10-15:    kit 1,680 vs raw  5,383 events/s (31.2%), p95 1.5 s (these two on kit 1.16.2,
                 the relay marking a batch sent while Kafka acknowledges it; the writers took
                 0.7-2.4 s to commit what they committed in 0.4 s at load 2)
Same kit, `--handler direct` (a round trip per event), load 9.6-10, 2 rounds: 938 vs 5,990
events/s (15.7%), p95 5.9 s. Kit 1.15 at load 0.5-0.9: 1,238 vs 15,923 (7.8%), p95 3.5 s.

Where the throughput went in 1.15 (timestamps per relay batch and per consumer poll): the writers
had committed and the relay had published everything within a second, while the consumer took
4.4 s over its first 207 events, 2.9 s for one poll of 65: each event's insert was a round trip,
and each round trip waited for a turn of the event loop, which the 16 writers' and the relay's
work made tens of milliseconds long (1.5 ms an event once the writers were done). CPU of this
process per event, 5,000 at 50 per commit: direct 492 us, staged 114-172 us, raw 47-62 us. Each
stage alone on a backlog of 10,000 (load 8-10): writers 47 us/event (12,700 events/s), relay
30-35 (6,800-11,900 events/s: a batch of 500 takes 65-80 ms, a quarter of it CPU, the rest the
select, Kafka's acks, the update and the commit, one after the other; batches of 2,000 did not
change the end-to-end figures), consumer 25-33 (11,400-19,400 events/s).

So half of raw is not reached: the kit side does a transaction, a relay and a consumer for what
raw does with a send and a read, 115 us of CPU per event against ~50 on one event loop, and the
relay, a batch at a time, finishes 0.3-0.6 s after the writers (the p50 latency). At one event
per transaction (3,000 events, load 7-9.4, 3 rounds) PostgreSQL itself sets the bound: the
database alone allows 2,252 events/s (13.4% of raw 16,786), the kit's unit of work through
SQLAlchemy (pool pre-ping, two statements, commit) 472 from 16 writers, and the kit side applies
472 events/s, as fast as they commit (2.8% of raw), p95 100 ms commit to applied (raw 45 ms).
The best configuration for throughput: events recorded many to a transaction (`record_many`)
and handlers that stage their rows.

Kit 1.16.11, `--events 5000 --rounds 2 --per-commit 50`, load 4-9: kit 7,298 vs raw 23,146
events/s (31.5%), p95 348 ms commit to applied (raw 65); `--events 20000 --rounds 1`: 9,771 vs
24,572 (39.8%). The writers committed the 5,000 events in 0.4-0.5 s (10,000-12,500 events/s,
43-54% of raw) with the relay and the consumer running beside them on the same event loop, and
PostgreSQL and Kafka on the same two cores: the use cases' own transactions, before any event
is relayed, take about half of what raw needs for everything. A profile of the writers puts
SQLAlchemy's per-row parameter processing, the envelopes' ids and the sockets' writes first.

Kit 1.18.0, raw with aiokafka's defaults (a quiet machine, load 0.5-2.3, `--per-commit 50`, each
run beside one of kit 1.17.0 taken just before or after it, same raw side):
  --events 20000 --rounds 1: kit 14,861-16,524 vs raw 41,950-43,398 events/s (35.4-38.1%),
                 p95 521-586 ms commit to applied; 1.17.0 11,159-11,166 vs raw 37,953-38,333
                 (29.1-29.4%), p95 809-857 ms
  --events 5000 --rounds 3: kit 11,428-12,208 vs raw 36,574-37,756 (31.2-32.3%), p95 197-230 ms;
                 1.17.0 9,691-10,406 vs 31,945-35,540 (27.3-32.6%), p95 221-272 ms
  --raw-producer kit, 5000: kit 12,605 vs raw 28,895 (43.6%); the raw side's p95 166 ms
Each stage alone on a backlog of 10,000 (CPU of this process per event, kit 1.17.0 -> 1.18.0):
writers 27-33 -> 24-27 us, relay 27-33 -> 14-15 us (a record batch per partition handed to
the producer instead of a send per record, which made a coroutine, a partition lookup and a
future each), consumer 25-39 -> 20-27 us (no span for a record of an unsampled trace; the claim's
ids one array). The raw side needs 24 us of CPU per event for everything, so with the writers,
the relay and the consumer on one event loop the kit side is still bound near 40% of raw: the
writers alone commit at 17,000-18,000 events/s here (16 use cases, 50 events a transaction) while
the relay and the consumer share their loop, where PostgreSQL alone takes 40,000-53,000. What is
left of a writer's transaction of 50 events (CPU, one writer alone): the unit of work (session,
checkout, BEGIN, COMMIT) about 200 us, the state rows through SQLAlchemy 170 us, the envelopes
130 us and the outbox statement 220 us; SQLAlchemy's execution machinery, not the SQL, is most
of each.

Kit 1.19.0 (the relay deletes what Kafka acknowledged instead of updating each row, staged rows
go in as one statement of column arrays, the consumer reads a payload once, relays take turns
with an advisory lock), `--layout services` (the consumer in its own process on both sides),
quiet machine (load 0.7-2.3), `--events 20000 --rounds 2 --per-commit 50`, six runs each beside
one of kit 1.18.0 taken just after it (same script, same raw side); per run the median of its
two rounds:
  kit 1.19.0: 16,335-21,792 events/s (median 19,396), kit/raw 39.2-55.2% (median 45.3%; 50% or
              more in 2 of 6 runs), p95 commit to applied 359-525 ms; CPU per event of the
              producing and consuming processes 40.4-55.2 us (median 46.0; consumer 12.6-20.8)
  kit 1.18.0: 16,357-18,954 events/s (median 17,144), kit/raw 34.9-49.6% (median 41.0%), p95
              444-523 ms; CPU per event 44.1-53.2 us (median 50.8; consumer 14.7-21.6)
  raw:        37,102-48,260 events/s; CPU per event 25.2-33.3 us (producer about 20, consumer 6)
The same kit, `--layout one-process`, one run: 53.7% (14,928 vs 27,822 events/s; its rounds
17,659 and 12,196). Over 5,000 events (`--rounds 3`) the kit side is 23.2% of raw (9,286 vs
40,002): each round's fresh engines, connections and the consumer's new process cost 65-83 us
of CPU per event there against 46 over 20,000. On this machine the clients' CPU is not what
bounds the kit side: its processes need 1.5-1.8 times raw's CPU per event, and PostgreSQL
(the use case's rows, the outbox, the inbox) shares the same two cores.

Since kit 1.20 each round also prints the CPU per event of the servers, PostgreSQL (its
connections included) and Kafka, found by the ports they listen on; on two cores they compete
with the clients. Kit 1.20.0 (version 2 of the event tables: no unique index of outbox event ids,
no partial index of unsent positions; no empty trace in an untraced envelope) against 1.19.0, on
another day of the same kind of machine, slower per event on both sides (load 0.5-1.6), six
runs each beside one of 1.19.0 taken just after it, `--events 20000 --rounds 2 --per-commit 50`:
  kit 1.20.0: 9,794-12,367 events/s (median 11,035), kit/raw 56.6-69.9% (median 63.5%), p95
              577-762 ms; CPU per event: clients 75-95 us (median 84.7), with PostgreSQL and
              Kafka 134-172 us (median 148.6)
  kit 1.19.0: 8,477-13,052 events/s (median 10,716), 52.0-69.5% (median 61.9%), p95 527-897
              ms; clients 72-113 us (median 81.8), with the servers 124-192 us (median 155.4)
  raw:        15,115-20,294 events/s; clients 56-78 us (median 65.2), with Kafka 68-95 us
Both kits keep more than half of raw on this day (12 runs of 12) where they kept 39-55% on the
earlier one: the raw side's clients need twice the CPU per event they needed then (56-78 us
against 25-33), the kit's 1.6 times (72-113 against 40-55), so the ratio moves with the machine
as much as with the kit. Run to run, the difference between the two kits is inside the noise
end to end; each stage alone shows it (one process, a backlog of 20,000, three alternating runs
each): PostgreSQL's CPU per event recorded 27.5-29.5 us against 38.0-38.5, per event relayed
5.0-8.5 against 12.5-16.0; writers and relay together 30.0-36.5 against 34.0-45.5.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import multiprocessing
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer  # type: ignore[import-untyped]
from aiokafka.admin import AIOKafkaAdminClient, NewTopic  # type: ignore[import-untyped]
from google.protobuf.wrappers_pb2 import StringValue
from knowledge.topics import Topic
from knowledge_kit.database import (
    UnitOfWork,
    after_commit,
    create_database_engine,
    session_factory,
    stage_insert,
)
from knowledge_kit.events import (
    EVENTS_METADATA,
    ConsumedEvent,
    EventConsumer,
    Outbox,
    create_producer,
    relaying_outbox,
)
from knowledge_kit.events.envelope import kafka_headers, new_envelope
from knowledge_kit.testing import unique_name
from knowledge_kit.testing.infrastructure import (
    KAFKA_BOOTSTRAP_ENV,
    POSTGRES_URL_ENV,
    throwaway_database,
)
from proc_stats import listening_pid, tree_cpu_seconds
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, insert, make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

PARTITIONS = 3
STATE = MetaData()
changes = Table(
    "bench_changes",
    STATE,
    Column("id", Integer, primary_key=True),
    Column("subject", String(64), nullable=False),
)
applied = Table(
    "bench_applied",
    STATE,
    Column("id", Integer, primary_key=True),
    Column("subject", String(64), nullable=False),
    Column("at", Float, nullable=False),
)


@dataclass(frozen=True, slots=True)
class Result:
    events: int
    seconds: float
    latencies_ms: list[float]
    # CPU seconds of the side's processes while it ran: "producing" and "consuming" (the
    # consumer in a process of its own), or "one process" (everything on one event loop).
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    # CPU seconds of the servers meanwhile: "postgresql" (its connections included), "kafka".
    server_cpu_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def per_second(self) -> float:
        return self.events / self.seconds

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))]

    def cpu_per_event_us(self) -> float:
        return sum(self.cpu_seconds.values()) / self.events * 1e6

    def cpu_report(self) -> str:
        parts = [
            f"{name} {seconds / self.events * 1e6:.1f}"
            for name, seconds in self.cpu_seconds.items()
        ]
        servers = [
            f"{name} {seconds / self.events * 1e6:.1f}"
            for name, seconds in self.server_cpu_seconds.items()
        ]
        return (
            f"CPU per event {self.cpu_per_event_us():.1f} us ({', '.join(parts)}; "
            f"servers: {', '.join(servers) or 'not found'})"
        )

    def server_cpu_per_event_us(self) -> float:
        return sum(self.server_cpu_seconds.values()) / self.events * 1e6


@dataclass(frozen=True, slots=True)
class Servers:
    """The PostgreSQL and Kafka processes of this machine the benchmark runs against (where
    they run here, found by the port they listen on), to count their CPU too: on two cores the
    kit side's database work competes with its clients and Kafka."""

    pids: dict[str, int]

    @classmethod
    def found(cls, postgres_url: str, bootstrap: str) -> Servers:
        ports = {
            "postgresql": make_url(postgres_url).port or 5432,
            "kafka": int(bootstrap.split(",")[0].rpartition(":")[2]),
        }
        pids = {name: listening_pid(port) for name, port in ports.items()}
        return cls({name: pid for name, pid in pids.items() if pid is not None})

    def cpu_seconds(self) -> dict[str, float]:
        return {name: tree_cpu_seconds(pid) for name, pid in self.pids.items()}

    def cpu_since(self, before: dict[str, float]) -> dict[str, float]:
        now = self.cpu_seconds()
        return {name: now[name] - before[name] for name in before}


@dataclass(frozen=True, slots=True)
class Consumed:
    """When each subject was applied (kit) or read (raw), and the CPU the consumer's process
    spent from the moment it was settled."""

    arrived: dict[str, float]
    cpu_seconds: float


def topic_named(name: str) -> Topic:
    return Topic(
        name=name,
        owner="ms_bench",
        description="benchmark events",
        key="subject",
        partitions=PARTITIONS,
        retention_hours=1,
        event_types=(StringValue.DESCRIPTOR.full_name,),
    )


async def new_topic(bootstrap: str, prefix: str) -> str:
    name = unique_name(prefix)
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, PARTITIONS, 1)])
    finally:
        await admin.close()
    return name


async def kit_consumer(
    bootstrap: str,
    sessions: async_sessionmaker[AsyncSession],
    topic: Topic,
    events: int,
    ready: Callable[[], None],
    staged: bool = True,
) -> Consumed:
    """Apply `topic`'s events with an `EventConsumer` until `events` were applied once; when
    each one's consumer transaction committed. `ready` is called once the group has settled.
    The handler stages its row (`staged`) or inserts it at once."""
    arrived: dict[str, float] = {}
    done = asyncio.Event()

    def applied_when_committed(session: AsyncSession) -> list[str]:
        """The subjects applied in the session's transaction, stamped once it commits."""
        subjects: list[str] | None = session.info.get("bench_applied")
        if subjects is None:
            subjects = session.info["bench_applied"] = []

            def stamp(subjects: list[str] = subjects) -> None:
                now = time.perf_counter()
                for subject in subjects:
                    arrived.setdefault(subject, now)
                if len(arrived) == events:
                    done.set()

            after_commit(session, stamp)
        return subjects

    async def apply(event: ConsumedEvent) -> None:
        subject = event.envelope.subject
        row = {"subject": subject, "at": time.perf_counter()}
        if staged:
            stage_insert(event.session, applied, row)
        else:
            await event.session.execute(insert(applied).values(**row))
        applied_when_committed(event.session).append(subject)

    consumer = EventConsumer(
        service="ms_bench",
        bootstrap=bootstrap,
        topics=[topic],
        sessions=sessions,
        handlers={StringValue: apply},
        group_id=unique_name("bench-outbox"),
    )
    stop = asyncio.Event()
    consuming = asyncio.create_task(consumer.run(stop))
    await asyncio.sleep(2)  # let the group settle before the clock starts
    ready()
    cpu_started = time.process_time()
    try:
        await asyncio.wait_for(done.wait(), 300)
        cpu_seconds = time.process_time() - cpu_started
    finally:
        stop.set()
        await asyncio.gather(consuming, return_exceptions=True)
    return Consumed(arrived, cpu_seconds)


async def kit_writers(
    bootstrap: str,
    sessions: async_sessionmaker[AsyncSession],
    topic: Topic,
    events: int,
    writers: int,
    per_commit: int,
    consumed: Awaitable[Consumed],
    apart: bool,
    servers: Servers,
) -> Result:
    """Commit `events` state changes with their events from `writers` concurrent use cases,
    `per_commit` of them to a transaction, with the outbox relayed; wait for `consumed` (when
    each subject was applied; by a consumer in another process when `apart`)."""
    outbox = Outbox("ms_bench")
    committed: dict[str, float] = {}
    async with relaying_outbox(sessions, bootstrap, client_id="ms_bench"):
        started, cpu_started = time.perf_counter(), time.process_time()
        servers_started = servers.cpu_seconds()

        async def write(first: int) -> None:
            for start in range(first * per_commit, events, writers * per_commit):
                subjects = [f"s{n}" for n in range(start, min(start + per_commit, events))]
                async with UnitOfWork(sessions) as uow:
                    await uow.session.execute(
                        insert(changes), [{"subject": subject} for subject in subjects]
                    )
                    await outbox.record_many(
                        uow.session,
                        topic,
                        [(StringValue(value=subject), subject) for subject in subjects],
                    )
                    await uow.commit()
                now = time.perf_counter()
                committed.update(dict.fromkeys(subjects, now))

        await asyncio.gather(*(write(first) for first in range(writers)))
        print(f"  committed in {time.perf_counter() - started:.1f} s", flush=True)
        done = await consumed
        cpu_seconds = time.process_time() - cpu_started
        server_cpu = servers.cpu_since(servers_started)
    return _result(events, started, committed, done, cpu_seconds, apart, server_cpu)


async def kit_side(
    bootstrap: str,
    sessions: async_sessionmaker[AsyncSession],
    events: int,
    writers: int,
    per_commit: int = 1,
    staged: bool = True,
    layout: str = "services",
    *,
    servers: Servers,
) -> Result:
    """The kit's event path: writers and the relay in this process; the consumer in a process
    of its own (`layout="services"`, as a consuming service runs) or on the same event loop."""
    topic = topic_named(await new_topic(bootstrap, "bench-outbox"))
    write = functools.partial(
        kit_writers, bootstrap, sessions, topic, events, writers, per_commit, servers=servers
    )
    if layout == "services":
        engine = sessions.kw["bind"]
        url = engine.url.render_as_string(hide_password=False)
        async with consumer_process("kit", bootstrap, topic.name, events, url, staged) as consumed:
            return await write(consumed, apart=True)
    settled = asyncio.Event()
    consuming = asyncio.create_task(
        kit_consumer(bootstrap, sessions, topic, events, settled.set, staged)
    )
    await settled.wait()
    return await write(consuming, apart=False)


async def raw_consumer(
    bootstrap: str, topic: str, events: int, ready: Callable[[], None]
) -> Consumed:
    """Read `events` records of `topic` with a bare consumer; when each subject arrived."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=unique_name("bench-raw"),
        auto_offset_reset="earliest",
    )
    await consumer.start()
    arrived: dict[str, float] = {}
    try:
        await asyncio.sleep(2)
        ready()
        cpu_started = time.process_time()
        while len(arrived) < events:
            batches = await consumer.getmany(timeout_ms=200)
            now = time.perf_counter()
            for records in batches.values():
                for record in records:
                    arrived.setdefault(record.key.decode(), now)
        cpu_seconds = time.process_time() - cpu_started
    finally:
        await consumer.stop()
    return Consumed(arrived, cpu_seconds)


async def raw_side(
    bootstrap: str,
    events: int,
    producer_settings: str = "aiokafka",
    layout: str = "services",
    *,
    servers: Servers,
) -> Result:
    """Send the same envelopes with a bare producer; read them with a bare consumer, in a
    process of its own (`layout="services"`) or on the same event loop. The producer has the
    kit's guarantees (idempotent, acks=all) and aiokafka's defaults otherwise, or
    (`producer_settings="kit"`) the kit's producer as it is."""
    topic = await new_topic(bootstrap, "bench-raw")
    if layout == "services":
        async with consumer_process("raw", bootstrap, topic, events) as consumed:
            return await raw_producer(
                bootstrap, topic, events, producer_settings, consumed, apart=True, servers=servers
            )
    settled = asyncio.Event()
    reading = asyncio.create_task(
        asyncio.wait_for(raw_consumer(bootstrap, topic, events, settled.set), 300)
    )
    await settled.wait()
    return await raw_producer(
        bootstrap, topic, events, producer_settings, reading, apart=False, servers=servers
    )


async def raw_producer(
    bootstrap: str,
    topic: str,
    events: int,
    producer_settings: str,
    consumed: Awaitable[Consumed],
    apart: bool,
    servers: Servers,
) -> Result:
    """Send `events` envelopes a record at a time, as fast as the producer takes them; wait for
    `consumed` (when each subject was read; by a consumer in another process when `apart`)."""
    producer = (
        create_producer(bootstrap)
        if producer_settings == "kit"
        else AIOKafkaProducer(bootstrap_servers=bootstrap, enable_idempotence=True, acks="all")
    )
    await producer.start()
    sent: dict[str, float] = {}
    try:
        started, cpu_started = time.perf_counter(), time.process_time()
        servers_started = servers.cpu_seconds()
        pending = []
        for number in range(events):
            subject = f"s{number}"
            envelope = new_envelope(StringValue(value=subject), source="ms_bench", subject=subject)
            sent[subject] = time.perf_counter()
            pending.append(
                await producer.send(
                    topic,
                    envelope.SerializeToString(),
                    key=subject.encode(),
                    headers=kafka_headers(envelope),
                )
            )
        await asyncio.gather(*pending)
        done = await consumed
        cpu_seconds = time.process_time() - cpu_started
        server_cpu = servers.cpu_since(servers_started)
    finally:
        await producer.stop()
    return _result(events, started, sent, done, cpu_seconds, apart, server_cpu)


def _result(
    events: int,
    started: float,
    committed: dict[str, float],
    consumed: Consumed,
    cpu_seconds: float,
    apart: bool,
    server_cpu_seconds: dict[str, float],
) -> Result:
    """A side's result: from the first commit or send to the last event consumed; each event's
    latency from its commit or send; the CPU of each process and of the servers."""
    latencies = [(consumed.arrived[s] - committed[s]) * 1000 for s in committed]
    cpu = (
        {"producing": cpu_seconds, "consuming": consumed.cpu_seconds}
        if apart
        else {"one process": cpu_seconds}
    )
    return Result(
        events, max(consumed.arrived.values()) - started, latencies, cpu, server_cpu_seconds
    )


@contextlib.asynccontextmanager
async def consumer_process(
    side: str,
    bootstrap: str,
    topic: str,
    events: int,
    database_url: str = "",
    staged: bool = True,
) -> AsyncIterator[Awaitable[Consumed]]:
    """A consumer of `side` ("kit" or "raw") in a process of its own, started and settled; yields
    what it will send back once it consumed `events`: when each subject arrived. `time.perf_counter`
    is the system's monotonic clock, the same in both processes."""
    ours, theirs = multiprocessing.Pipe()
    process = multiprocessing.get_context("spawn").Process(
        target=_consume,
        args=(side, bootstrap, topic, events, database_url, staged, theirs),
        daemon=True,
    )
    process.start()
    try:
        if not await asyncio.wait_for(asyncio.to_thread(ours.poll, 60), 90):
            raise RuntimeError(f"the {side} consumer process did not start within a minute")
        ours.recv()  # settled
        yield asyncio.wait_for(asyncio.to_thread(ours.recv), 300)
    finally:
        process.join(10)
        if process.is_alive():
            process.kill()


def _consume(
    side: str,
    bootstrap: str,
    topic: str,
    events: int,
    database_url: str,
    staged: bool,
    pipe: Connection,
) -> None:
    """The consumer process: consume, then send when each subject arrived."""

    def ready() -> None:
        pipe.send("settled")

    async def consume() -> Consumed:
        if side == "raw":
            return await raw_consumer(bootstrap, topic, events, ready)
        engine = create_database_engine(database_url, traced=False)
        try:
            return await kit_consumer(
                bootstrap, session_factory(engine), topic_named(topic), events, ready, staged
            )
        finally:
            await engine.dispose()

    pipe.send(asyncio.run(consume()))


async def database_side(
    sessions: async_sessionmaker[AsyncSession],
    events: int,
    writers: int,
    per_commit: int,
    servers: Servers,
) -> Result:
    """The ceiling the database sets: the kit side's transactions (state rows and outbox rows,
    `per_commit` of each) written by bare asyncpg from as many writers, nothing relayed."""
    import asyncpg  # type: ignore[import-untyped]

    engine = sessions.kw["bind"]
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    pool = await asyncpg.create_pool(url, min_size=writers, max_size=writers)
    assert pool is not None
    try:
        started, servers_started = time.perf_counter(), servers.cpu_seconds()

        async def write(first: int) -> None:
            for start in range(first * per_commit, events, writers * per_commit):
                subjects = [f"s{n}" for n in range(start, min(start + per_commit, events))]
                envelopes = [
                    new_envelope(StringValue(value=subject), source="ms_bench", subject=subject)
                    for subject in subjects
                ]
                async with pool.acquire() as connection, connection.transaction():
                    await connection.executemany(
                        "INSERT INTO bench_changes (subject) VALUES ($1)",
                        [(subject,) for subject in subjects],
                    )
                    await connection.executemany(
                        "INSERT INTO outbox_events (event_id, topic, subject, envelope) "
                        "VALUES ($1, 'bench', $2, $3)",
                        [(e.id, e.subject, e.SerializeToString()) for e in envelopes],
                    )

        await asyncio.gather(*(write(first) for first in range(writers)))
        seconds = time.perf_counter() - started
        server_cpu = servers.cpu_since(servers_started)
    finally:
        await pool.close()
    return Result(events, seconds, [0.0], server_cpu_seconds=server_cpu)


async def with_database(
    postgres_url: str, run: Callable[[async_sessionmaker[AsyncSession]], Awaitable[Result]]
) -> Result:
    async with throwaway_database(postgres_url, "bench_outbox") as url:
        engine = create_database_engine(url, traced=False)
        try:
            async with engine.begin() as connection:
                await connection.run_sync(EVENTS_METADATA.create_all)
                await connection.run_sync(STATE.create_all)
            return await run(session_factory(engine))
        finally:
            await engine.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--writers", type=int, default=16, help="use cases committing at once (kit side)"
    )
    parser.add_argument(
        "--per-commit",
        type=int,
        default=1,
        help="state changes and events each transaction commits (kit side; 1: one per use case)",
    )
    parser.add_argument(
        "--raw-producer",
        choices=("aiokafka", "kit"),
        default="aiokafka",
        help="the raw side's producer: aiokafka's defaults with idempotence and acks=all, or the "
        "kit's producer (its batch size and linger as well)",
    )
    parser.add_argument(
        "--layout",
        choices=("services", "one-process"),
        default="services",
        help="the consumer in a process of its own, as the consuming service runs (both sides), "
        "or everything of a side on one event loop",
    )
    parser.add_argument(
        "--handler",
        choices=("staged", "direct"),
        default="staged",
        help="the consumer's handler stages its row (stage_insert) or inserts it at once",
    )
    options = parser.parse_args()
    postgres, bootstrap = os.environ.get(POSTGRES_URL_ENV), os.environ.get(KAFKA_BOOTSTRAP_ENV)
    if not postgres or not bootstrap:
        sys.exit(f"run under `fleet infra run --`: {POSTGRES_URL_ENV} and {KAFKA_BOOTSTRAP_ENV}")
    print(
        f"{options.events} events, {PARTITIONS} partitions, {options.writers} writers, "
        f"{options.per_commit} per commit, {options.handler} handler, "
        f"{options.raw_producer} raw producer, layout {options.layout}; "
        f"load average {_load_average()}"
    )
    servers = Servers.found(postgres, bootstrap)
    results: dict[str, list[Result]] = {"kit": [], "raw": [], "database": []}
    for round_number in range(options.rounds):
        order = ("kit", "raw") if round_number % 2 == 0 else ("raw", "kit")
        for side in (*order, "database"):
            if side == "kit":
                result = await with_database(
                    postgres,
                    lambda sessions: kit_side(
                        bootstrap,
                        sessions,
                        options.events,
                        options.writers,
                        options.per_commit,
                        staged=options.handler == "staged",
                        layout=options.layout,
                        servers=servers,
                    ),
                )
            elif side == "raw":
                result = await raw_side(
                    bootstrap, options.events, options.raw_producer, options.layout, servers=servers
                )
            else:
                result = await with_database(
                    postgres,
                    lambda sessions: database_side(
                        sessions, options.events, options.writers, options.per_commit, servers
                    ),
                )
                results[side].append(result)
                print(
                    f"round {round_number + 1} database alone: {result.per_second:8.0f} events/s; "
                    f"PostgreSQL's CPU per event "
                    f"{result.server_cpu_seconds.get('postgresql', 0) / result.events * 1e6:.1f} us"
                )
                continue
            results[side].append(result)
            print(
                f"round {round_number + 1} {side}: {result.per_second:8.0f} events/s, "
                f"p50 {result.percentile(0.5):7.1f} ms, p95 {result.percentile(0.95):7.1f} ms; "
                f"{result.cpu_report()}"
            )
    kit, raw, database = (
        statistics.median(r.per_second for r in results[s]) for s in ("kit", "raw", "database")
    )
    kit_p95, raw_p95 = (
        statistics.median(r.percentile(0.95) for r in results[s]) for s in ("kit", "raw")
    )
    print(f"kit/raw throughput {kit / raw:.1%} (median {kit:.0f} vs {raw:.0f} events/s)")
    kit_cpu, raw_cpu = (
        statistics.median(r.cpu_per_event_us() for r in results[s]) for s in ("kit", "raw")
    )
    print(
        f"CPU per event (the clients' processes; PostgreSQL and Kafka not counted): kit "
        f"{kit_cpu:.1f} us, raw {raw_cpu:.1f} us: raw/kit {raw_cpu / kit_cpu:.1%}"
    )
    if servers.pids:
        kit_servers, raw_servers = (
            statistics.median(r.server_cpu_per_event_us() for r in results[s])
            for s in ("kit", "raw")
        )
        print(
            f"CPU per event with the servers' ({', '.join(servers.pids)}): kit "
            f"{kit_cpu + kit_servers:.1f} us, raw {raw_cpu + raw_servers:.1f} us: raw/kit "
            f"{(raw_cpu + raw_servers) / (kit_cpu + kit_servers):.1%}"
        )
    print(
        f"the database alone allows {database / raw:.1%} of raw ({database:.0f} events/s at "
        f"{options.per_commit} per commit); the kit reaches {kit / database:.1%} of that"
    )
    print(
        f"latency p95: kit {kit_p95:.1f} ms (commit to applied), raw {raw_p95:.1f} ms (send to read)"
    )
    print(f"load average at end: {_load_average()}")


def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    asyncio.run(main())
