"""What the benchmarks of a consuming service's latency share (ms_vector's freshness,
ms_notifications' stream latency and redelivery): another service's outbox relayed to Kafka, a
bare consumer of the same events as the baseline that only notes when each arrives, the service
under test run as in production (`python -m`), and the committed -> arrived figures."""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from pathlib import Path

from aiokafka import AIOKafkaConsumer  # type: ignore[import-untyped]
from fleet.up.readiness import is_serving
from knowledge.common.v1 import event_envelope_pb2
from knowledge.topics import Topic
from knowledge_kit.database import create_database_engine, session_factory
from knowledge_kit.events import EVENTS_METADATA, Outbox, kafka_client_options, relaying_outbox
from knowledge_kit.testing import JwksEndpoint, unique_name
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

START_LIMIT_SECONDS = 120
STOP_LIMIT_SECONDS = 30
POLL_SECONDS = 0.1


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def cuts(seconds: list[float]) -> tuple[float, float, float]:
    """p50, p95 and max, in milliseconds."""
    ms = [value * 1000 for value in seconds]
    return (
        statistics.median(ms),
        statistics.quantiles(ms, n=20, method="inclusive")[18],
        max(ms),
    )


def print_against_bare(
    heading: str, service: tuple[str, str], times: list[tuple[float, float, float]]
) -> None:
    """The committed -> arrived table under `heading`, from each event's (committed, arrived at
    the bare consumer, delivered by the service) times: at the bare consumer, where the service
    delivers it (`service`: its label, e.g. "searchable in ms_vector", and its short name), the
    part of that after the bare arrival, and the ratio of the service's latency to the bare's."""
    label, name = service
    bare = cuts([arrived - committed for committed, arrived, _ in times])
    served = cuts([delivered - committed for committed, _, delivered in times])
    own = cuts([delivered - arrived for _, arrived, delivered in times])
    print(heading)
    print(f"{'committed ->':<36} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for row, figures in (
        ("arrived at the bare consumer", bare),
        (label, served),
        ("  of which after the bare arrival", own),
    ):
        print(f"{row:<36} {figures[0]:>8.0f} {figures[1]:>8.0f} {figures[2]:>8.0f}")
    print(f"ratio {name} / bare: p50 {served[0] / bare[0]:.1f}, p95 {served[1] / bare[1]:.1f}")


class ArrivalLog:
    """When each event first arrived, by event id, and how many records arrived in all."""

    def __init__(self) -> None:
        self.arrived: dict[str, float] = {}
        self.records = 0
        self._changed = asyncio.Event()

    def note(self, event_id: str, at: float) -> None:
        self.records += 1
        self.arrived.setdefault(event_id, at)
        self._changed.set()

    async def wait_for(self, event_id: str) -> float:
        while event_id not in self.arrived:
            self._changed.clear()
            await self._changed.wait()
        return self.arrived[event_id]

    async def wait_for_records(self, count: int) -> None:
        while self.records < count:
            self._changed.clear()
            await self._changed.wait()


async def bare_consumer(
    bootstrap: str, topics: list[str], log: ArrivalLog, stop: asyncio.Event
) -> None:
    """A consumer as the kit's is set up, doing nothing with an event but noting it."""
    consumer = AIOKafkaConsumer(
        *topics,
        **kafka_client_options(bootstrap),
        group_id=unique_name("bench-bare"),
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=200)
            arrived = time.perf_counter()
            for records in batches.values():
                for record in records:
                    envelope = event_envelope_pb2.EventEnvelope.FromString(record.value)
                    log.note(envelope.id, arrived)
    finally:
        await consumer.stop()


@asynccontextmanager
async def other_service_outbox(
    directory: Path, bootstrap: str, source: str, topics: list[Topic]
) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], Outbox]]:
    """Another service's side (e.g. ms_knowledge): a database with the kit's outbox, relayed to
    Kafka while the block runs."""
    engine = create_database_engine(f"sqlite+aiosqlite:///{directory / f'{source}.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(EVENTS_METADATA.create_all)
    sessions = session_factory(engine)
    outbox = Outbox(source, topics=[topic.name for topic in topics])
    try:
        async with relaying_outbox(sessions, bootstrap, client_id=source):
            yield sessions, outbox
    finally:
        await engine.dispose()


async def start_service(
    module: str, port: int, endpoint: JwksEndpoint, settings: Mapping[str, str], log: Path
) -> asyncio.subprocess.Process:
    """`python -m module` serving gRPC on `port`, trusting `endpoint`'s tokens, with `settings`
    under its prefix and its output appended to `log`; returns once it answers health checks,
    or exits naming the cause and the log's tail."""
    every_setting = {
        "GRPC_HOST": "127.0.0.1",
        "GRPC_PORT": str(port),
        "AUTH_JWKS_URL": endpoint.url,
        "AUTH_ISSUER": endpoint.issuer,
        "AUTH_AUDIENCE": endpoint.audience,
        **settings,
    }
    prefix = f"{module.upper()}_"
    environment = {**os.environ, **{prefix + key: value for key, value in every_setting.items()}}
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, env=environment, stdout=output, stderr=output
        )
    deadline = time.monotonic() + START_LIMIT_SECONDS
    while not await asyncio.to_thread(is_serving, port):
        if process.returncode is not None or time.monotonic() > deadline:
            await stop_service(process)
            tail = (await asyncio.to_thread(log.read_text, errors="replace"))[-3000:]
            raise SystemExit(f"{module} did not start (exit code {process.returncode}):\n{tail}")
        await asyncio.sleep(POLL_SECONDS)
    return process


async def stop_service(process: asyncio.subprocess.Process) -> None:
    """SIGTERM, as an orchestrator stops it; SIGKILL if it is still running after the limit."""
    if process.returncode is None:
        process.terminate()
        try:
            await asyncio.wait_for(process.wait(), STOP_LIMIT_SECONDS)
        except TimeoutError:
            process.kill()
    await process.wait()
