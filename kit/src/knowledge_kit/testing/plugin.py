"""pytest fixtures for the kit and every service: real PostgreSQL/Kafka, gRPC servers, tokens.

Registered through the `pytest11` entry point, so installing knowledge-kit makes them available.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio

from knowledge_kit.testing.infrastructure import (
    KAFKA_BOOTSTRAP_ENV,
    POSTGRES_URL_ENV,
    InfrastructureMissing,
    create_topics,
    provisioned,
    throwaway_database,
    unique_name,
)
from knowledge_kit.testing.jwks_endpoint import JwksEndpoint
from knowledge_kit.testing.secure_kafka import SecureKafka, provisioned_secure_kafka

if TYPE_CHECKING:  # imported lazily: the plugin loads in every pytest run of the environment
    from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

    from knowledge_kit.rpc.server import ServiceServer
    from knowledge_kit.settings import ServiceSettings
    from knowledge_kit.testing.service_process import ServiceProcess


def _required(variable: str, what: str) -> str:
    try:
        return provisioned(variable, what)
    except InfrastructureMissing as missing:
        pytest.fail(str(missing), pytrace=False)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """URL of the PostgreSQL cluster the test command started (fails when there is none)."""
    return _required(POSTGRES_URL_ENV, "PostgreSQL")


@pytest.fixture(scope="session")
def kafka_bootstrap() -> str:
    """bootstrap.servers of the Kafka broker the test command started (fails when there is none)."""
    return _required(KAFKA_BOOTSTRAP_ENV, "Kafka")


@pytest.fixture(scope="session")
def secure_kafka() -> SecureKafka:
    """The same broker's SASL_SSL listener: SCRAM-SHA-512 over TLS (fails when there is none)."""
    try:
        return provisioned_secure_kafka()
    except InfrastructureMissing as missing:
        pytest.fail(str(missing), pytrace=False)


@pytest_asyncio.fixture
async def postgres_database_url(postgres_url: str) -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for this test (`postgresql+asyncpg://`), dropped after."""
    async with throwaway_database(postgres_url, "test") as url:
        yield url


@pytest.fixture
def sqlite_database_url(tmp_path: Path) -> str:
    """A fresh SQLite database file for this test (`sqlite+aiosqlite://`)."""
    return f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"


DATABASE_BACKEND_ENV = "KNOWLEDGE_TEST_DATABASE"
"""`sqlite` (the default) or `postgresql`: which backend `migrated_database_url` runs on."""


@pytest.fixture
def service_migrations() -> Path:
    """The service's Alembic directory: a service's conftest overrides this fixture."""
    pytest.fail(
        "migrated_database_url needs a `service_migrations` fixture returning the service's "
        "migrations directory (in the service's tests/conftest.py)",
        pytrace=False,
    )


@pytest_asyncio.fixture
async def migrated_database_url(tmp_path: Path, service_migrations: Path) -> AsyncIterator[str]:
    """A fresh database migrated to head, on the backend KNOWLEDGE_TEST_DATABASE names."""
    from knowledge_kit.database.migrations import upgrade_database

    backend = os.environ.get(DATABASE_BACKEND_ENV, "sqlite")
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
        await upgrade_database(url, service_migrations)
        yield url
        return
    if backend != "postgresql":
        pytest.fail(f"{DATABASE_BACKEND_ENV}={backend} is not a backend: use sqlite or postgresql")
    async with throwaway_database(_required(POSTGRES_URL_ENV, "PostgreSQL"), "test") as url:
        await upgrade_database(url, service_migrations)
        yield url


@pytest.fixture
def database_url(migrated_database_url: str) -> str:
    """The service's test database: `migrated_database_url` (override it for another one)."""
    return migrated_database_url


@pytest_asyncio.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on `database_url` (statements untraced), disposed of after the test."""
    from knowledge_kit.database.engine import create_database_engine, session_factory

    engine = create_database_engine(database_url, traced=False)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def unique_topic() -> Callable[[str], str]:
    """Makes topic names no other test (or xdist worker) uses: `unique_topic("documents")`."""
    return lambda prefix: f"{prefix}.{unique_name('t')}"


@pytest.fixture
def new_kafka_topic(
    kafka_bootstrap: str, unique_topic: Callable[[str], str]
) -> Callable[..., Awaitable[str]]:
    """Creates a fresh topic on the test broker: `await new_kafka_topic("documents", partitions=3)`."""

    async def create(prefix: str = "test", partitions: int = 1) -> str:
        name = unique_topic(prefix)
        await create_topics(kafka_bootstrap, [name], partitions)
        return name

    return create


@pytest.fixture
def jwks_endpoint() -> Iterator[JwksEndpoint]:
    """A real JWKS endpoint on loopback; `.mint(...)` signs tokens, `.rotate()` rotates keys."""
    endpoint = JwksEndpoint()
    yield endpoint
    endpoint.close()


@pytest.fixture
def mint_token(jwks_endpoint: JwksEndpoint) -> Callable[..., str]:
    """`mint_token("users/alice", roles=["admin"])`: a token the test servers accept."""
    return jwks_endpoint.mint


@pytest.fixture
def service_settings(jwks_endpoint: JwksEndpoint) -> ServiceSettings:
    """ServiceSettings for an in-process server on an ephemeral loopback port, trusting
    `jwks_endpoint`. Override with `service_settings.model_copy(update={...})`."""
    from knowledge_kit.settings import ServiceSettings

    return ServiceSettings(
        service_name="ms_test",
        grpc_host="127.0.0.1",
        grpc_port=0,
        auth_jwks_url=jwks_endpoint.url,
        auth_issuer=jwks_endpoint.issuer,
        auth_audience=jwks_endpoint.audience,
        auth_jwks_min_refresh_seconds=0,
        shutdown_grace_seconds=1,
    )


@dataclass
class RunningServer:
    """An in-process ServiceServer and the address clients dial."""

    server: ServiceServer
    target: str


StartGrpcServer = Callable[..., Awaitable[RunningServer]]
"""The type of the `start_grpc_server` fixture, for a test's annotation."""


@pytest_asyncio.fixture
async def start_grpc_server(
    service_settings: ServiceSettings,
) -> AsyncIterator[StartGrpcServer]:
    """Starts ServiceServers with the kit's full pipeline on ephemeral ports; stops them after.

    `running = await start_grpc_server((add_FooServicer_to_server, FooServicer()), settings=...)`
    """
    from knowledge_kit.rpc.server import ServiceServer

    started: list[ServiceServer] = []

    async def start(
        *servicers: tuple[Callable[[Any, Any], None], Any], **options: Any
    ) -> RunningServer:
        settings = options.pop("settings", service_settings)
        server = ServiceServer(settings, **options)
        for register, servicer in servicers:
            server.add_servicer(register, servicer)
        port = await server.start()
        started.append(server)
        return RunningServer(server, f"127.0.0.1:{port}")

    yield start
    for server in started:
        await server.stop(0)


@pytest_asyncio.fixture
async def start_service_process(
    jwks_endpoint: JwksEndpoint,
) -> AsyncIterator[Callable[..., Awaitable[ServiceProcess]]]:
    """Starts services as they run in production (`python -m <module>`, settings under its
    prefix, gRPC on a free loopback port, trusting `jwks_endpoint` unless given `trusting=`);
    kills any still running after.

    `service = await start_service_process("ms_billing", {"DATABASE_URL": ...})`, then
    `await service.serving()` and `await service.stop_on_sigterm()`.
    """
    from contextlib import AsyncExitStack

    from knowledge_kit.testing.service_process import running_service_process

    async with AsyncExitStack() as started:

        async def start(
            module: str, settings: dict[str, str] | None = None, **options: Any
        ) -> ServiceProcess:
            options.setdefault("trusting", jwks_endpoint)
            return await started.enter_async_context(
                running_service_process(module, settings, **options)
            )

        yield start
