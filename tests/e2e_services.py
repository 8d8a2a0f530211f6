"""ms_auth and ms_knowledge running in this process, each wired by its own composition root, on
its own fresh PostgreSQL database, relaying its outbox to the test Kafka broker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from knowledge_kit.database import create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.events import relaying_outbox
from knowledge_kit.testing.infrastructure import throwaway_database
from ms_auth import main as auth_main
from ms_auth.config import Settings as AuthSettings
from ms_auth.server.jwks_endpoint import JWKS_PATH, JwksEndpoint
from ms_knowledge import main as knowledge_main
from ms_knowledge.config import Settings as KnowledgeSettings
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


@dataclass(frozen=True)
class RunningPlatform:
    """Where to reach the two services."""

    auth_target: str
    knowledge_target: str


@asynccontextmanager
async def migrated_database(
    postgres_url: str, prefix: str, migrations: Path
) -> AsyncIterator[tuple[str, async_sessionmaker[AsyncSession]]]:
    """A fresh database migrated to head, its URL and sessions on it; dropped afterwards."""
    async with throwaway_database(postgres_url, prefix) as url:
        engine = create_database_engine(url, traced=False)
        try:
            await upgrade_database(url, migrations)
            yield url, session_factory(engine)
        finally:
            await engine.dispose()


def trusting(jwks_url: str, issuer: str, audience: str) -> dict[str, Any]:
    """The settings by which a service trusts the tokens a JWKS endpoint's keys signed (and stops
    at once: the tests stop it while nothing is in flight)."""
    return {
        "auth_jwks_url": jwks_url,
        "auth_issuer": issuer,
        "auth_audience": audience,
        "shutdown_grace_seconds": 0,
    }


@asynccontextmanager
async def running_knowledge(
    postgres_url: str, kafka_bootstrap: str, database_prefix: str, trust: dict[str, Any]
) -> AsyncIterator[str]:
    """ms_knowledge on a loopback ephemeral port, on a fresh database, relaying its outbox;
    yields its target."""
    async with AsyncExitStack() as stack:
        url, sessions = await stack.enter_async_context(
            migrated_database(postgres_url, database_prefix, knowledge_main.MIGRATIONS)
        )
        settings = KnowledgeSettings(
            database_url=url,
            kafka_bootstrap=kafka_bootstrap,
            grpc_host="127.0.0.1",
            grpc_port=0,
            **trust,
        )
        server = knowledge_main.build_server(
            settings, knowledge_main.knowledge_servicers(settings, sessions)
        )
        port = await server.start()
        stack.push_async_callback(server.stop, 0)
        await stack.enter_async_context(
            relaying_outbox(sessions, kafka_bootstrap, client_id=settings.service_name)
        )
        yield f"127.0.0.1:{port}"


@asynccontextmanager
async def running_platform(
    postgres_url: str, kafka_bootstrap: str
) -> AsyncIterator[RunningPlatform]:
    """Both services on loopback ephemeral ports; ms_knowledge trusts ms_auth's JWKS endpoint."""
    async with AsyncExitStack() as stack:
        auth_url, auth_sessions = await stack.enter_async_context(
            migrated_database(postgres_url, "e2e_auth", auth_main.MIGRATIONS)
        )
        auth_settings = AuthSettings(
            database_url=auth_url,
            kafka_bootstrap=kafka_bootstrap,
            grpc_host="127.0.0.1",
            grpc_port=0,
            http_host="127.0.0.1",
            http_port=0,
            password_hash_time_cost=1,
            password_hash_memory_kib=8,
            password_hash_parallelism=1,
            shutdown_grace_seconds=0,
        )
        auth_use_cases = auth_main.auth_use_cases(auth_settings, auth_sessions)
        await auth_use_cases.keys.rotate_signing_key_if_due()
        jwks = JwksEndpoint(auth_use_cases.keys, "127.0.0.1", 0)
        jwks_port = await jwks.start()
        stack.push_async_callback(jwks.stop)
        auth_server = auth_main.build_server(auth_settings, auth_use_cases)
        auth_port = await auth_server.start()
        stack.push_async_callback(auth_server.stop, 0)
        await stack.enter_async_context(
            relaying_outbox(auth_sessions, kafka_bootstrap, client_id=auth_settings.service_name)
        )

        knowledge_target = await stack.enter_async_context(
            running_knowledge(
                postgres_url,
                kafka_bootstrap,
                "e2e_knowledge",
                trusting(
                    f"http://127.0.0.1:{jwks_port}{JWKS_PATH}",
                    auth_settings.auth_issuer,
                    auth_settings.auth_audience,
                ),
            )
        )
        yield RunningPlatform(f"127.0.0.1:{auth_port}", knowledge_target)
