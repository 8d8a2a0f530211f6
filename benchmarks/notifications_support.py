"""What the ms_notifications benchmarks share: another service's outbox relayed to Kafka, the
service run as in production (`python -m ms_notifications`), a bare consumer as baseline, a
local SMTP server, and figures."""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from aiokafka import AIOKafkaConsumer  # type: ignore[import-untyped]
from aiosmtpd.smtp import SMTP, Envelope, Session
from fleet.infra.net import free_port
from grpc_health.v1 import health_pb2
from knowledge.common.v1 import event_envelope_pb2
from knowledge.topics import NOTIFICATIONS_DELIVERIES_V1, Topic
from knowledge_kit.database import create_database_engine, session_factory
from knowledge_kit.events import EVENTS_METADATA, Outbox, kafka_client_options, relaying_outbox
from knowledge_kit.testing import JwksEndpoint, unique_name
from knowledge_kit.testing.infrastructure import create_topics
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

START_LIMIT_SECONDS = 120


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


class ArrivalLog:
    """When each event arrived, by event id."""

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


async def ensure_deliveries_topic(bootstrap: str) -> None:
    """notifications.deliveries.v1, which the service publishes to (created if missing)."""
    try:
        await create_topics(
            bootstrap, [NOTIFICATIONS_DELIVERIES_V1.name], NOTIFICATIONS_DELIVERIES_V1.partitions
        )
    except Exception as error:  # already there
        if "TopicAlreadyExists" not in type(error).__name__ + str(error):
            raise


@dataclass
class NotificationService:
    """`python -m ms_notifications` on a database in `directory`."""

    directory: Path
    bootstrap: str
    endpoint: JwksEndpoint
    consumed: list[str]
    extra: dict[str, str] = field(default_factory=dict)
    group: str = field(default_factory=lambda: unique_name("bench-ms-notifications"))
    port: int = field(default_factory=free_port)
    process: asyncio.subprocess.Process | None = None

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def database_url(self) -> str:
        return f"sqlite+aiosqlite:///{self.directory / 'notifications.db'}"

    async def start(self) -> None:
        """Start it and wait until it answers health checks."""
        settings = {
            "GRPC_HOST": "127.0.0.1",
            "GRPC_PORT": str(self.port),
            "AUTH_JWKS_URL": self.endpoint.url,
            "AUTH_ISSUER": self.endpoint.issuer,
            "AUTH_AUDIENCE": self.endpoint.audience,
            "LOG_JSON": "false",
            "DATABASE_URL": self.database_url,
            "KAFKA_BOOTSTRAP": self.bootstrap,
            "KAFKA_CONSUMER_GROUP": self.group,
            "CONSUMED_TOPICS": json.dumps(self.consumed),
            **self.extra,
        }
        environment = {
            **os.environ,
            **{f"MS_NOTIFICATIONS_{key}": value for key, value in settings.items()},
        }
        output = self.directory / "ms_notifications.log"
        with output.open("ab") as log:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "ms_notifications", env=environment, stdout=log, stderr=log
            )
        async with grpc.aio.insecure_channel(self.target) as channel:
            check = channel.unary_unary(
                "/grpc.health.v1.Health/Check",
                request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                response_deserializer=health_pb2.HealthCheckResponse.FromString,
            )
            try:
                await check(
                    health_pb2.HealthCheckRequest(),
                    timeout=START_LIMIT_SECONDS,
                    wait_for_ready=True,
                )
            except grpc.aio.AioRpcError as failed:
                tail = output.read_text(errors="replace")[-3000:]
                raise SystemExit(
                    f"ms_notifications did not start ({failed.code().name}):\n{tail}"
                ) from None

    def kill(self) -> None:
        """SIGKILL: no graceful stop, whatever was in flight is lost."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()

    async def stop(self) -> None:
        if self.process is None:
            return
        if self.process.returncode is None:
            self.process.terminate()
            try:
                await asyncio.wait_for(self.process.wait(), 30)
            except TimeoutError:
                self.process.kill()
        await self.process.wait()


class Mailbox:
    """An aiosmtpd handler counting what it accepts, by Message-ID."""

    def __init__(self) -> None:
        self.received = 0
        self.message_ids: dict[str, int] = {}

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        message_id = ""
        for line in content.split(b"\r\n"):
            if not line:
                break
            if line.lower().startswith(b"message-id:"):
                message_id = line.split(b":", 1)[1].strip().decode()
        self.received += 1
        self.message_ids[message_id] = self.message_ids.get(message_id, 0) + 1
        return "250 Message accepted for delivery"


@asynccontextmanager
async def smtp_sink(mailbox: Mailbox) -> AsyncIterator[int]:
    """A real SMTP server (aiosmtpd) on 127.0.0.1; yields its port."""
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(mailbox, hostname="mail.bench", loop=loop), "127.0.0.1", 0
    )
    try:
        yield server.sockets[0].getsockname()[1]
    finally:
        server.close()
        await server.wait_closed()
