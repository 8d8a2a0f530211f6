"""What the ms_notifications benchmarks share beyond event_latency.py: the service run as in
production (`python -m ms_notifications`), its deliveries topic, and a local SMTP server."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.smtp import SMTP, Envelope, Session
from event_latency import start_service, stop_service
from fleet.infra.net import free_port
from knowledge.topics import NOTIFICATIONS_DELIVERIES_V1
from knowledge_kit.testing import JwksEndpoint, unique_name
from knowledge_kit.testing.infrastructure import create_topics


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
            "LOG_JSON": "false",
            "DATABASE_URL": self.database_url,
            "KAFKA_BOOTSTRAP": self.bootstrap,
            "KAFKA_CONSUMER_GROUP": self.group,
            "CONSUMED_TOPICS": json.dumps(self.consumed),
            **self.extra,
        }
        self.process = await start_service(
            "ms_notifications",
            self.port,
            self.endpoint,
            settings,
            self.directory / "ms_notifications.log",
        )

    def kill(self) -> None:
        """SIGKILL: no graceful stop, whatever was in flight is lost."""
        if self.process is not None and self.process.returncode is None:
            self.process.kill()

    async def stop(self) -> None:
        if self.process is not None:
            await stop_service(self.process)


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
