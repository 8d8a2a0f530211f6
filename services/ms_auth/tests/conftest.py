"""Fixtures of this service's tests: a migrated database, settings and the wired use cases.

The kit's pytest plugin adds the rest (`postgres_url`, `kafka_bootstrap`, ...). Tests run on
PostgreSQL at KNOWLEDGE_TEST_POSTGRES_URL (failing without it), or on SQLite when
KNOWLEDGE_TEST_DATABASE=sqlite (tox -e sqlite).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from knowledge_kit.database import create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.testing.infrastructure import (
    POSTGRES_URL_ENV,
    asyncpg_url,
    create_database,
    drop_database,
    unique_name,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_auth.config import Settings
from ms_auth.main import MIGRATIONS, AuthUseCases, auth_use_cases

BACKEND_ENV = "KNOWLEDGE_TEST_DATABASE"
ADMIN_EMAIL = "root@example.com"
PASSWORD = "correct horse battery"


@pytest_asyncio.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database migrated to head, on the backend KNOWLEDGE_TEST_DATABASE names."""
    backend = os.environ.get(BACKEND_ENV, "postgresql")
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
        await upgrade_database(url, MIGRATIONS)
        yield url
        return
    if backend != "postgresql":
        pytest.fail(f"{BACKEND_ENV}={backend} is not a backend: use sqlite or postgresql")
    server = os.environ.get(POSTGRES_URL_ENV)
    if not server:
        pytest.fail(f"PostgreSQL was not provisioned: {POSTGRES_URL_ENV} is unset", pytrace=False)
    database = unique_name("auth")
    await create_database(server, database)
    try:
        url = asyncpg_url(server, database)
        await upgrade_database(url, MIGRATIONS)
        yield url
    finally:
        await drop_database(server, database)


@pytest_asyncio.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the test database."""
    engine = create_database_engine(database_url, traced=False)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest.fixture
def settings(database_url: str) -> Settings:
    """The service's settings on loopback ephemeral ports, with cheap argon2id parameters."""
    return Settings(
        database_url=database_url,
        grpc_host="127.0.0.1",
        grpc_port=0,
        http_host="127.0.0.1",
        http_port=0,
        password_hash_time_cost=1,
        password_hash_memory_kib=8,
        password_hash_parallelism=1,
        admin_emails=frozenset({ADMIN_EMAIL}),
        lockout_max_failures=3,
        shutdown_grace_seconds=0,
        log_json=False,
    )


@pytest.fixture
def use_cases(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> AuthUseCases:
    """The use cases wired exactly as the running service wires them."""
    return auth_use_cases(settings, sessions)
