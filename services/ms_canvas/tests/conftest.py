"""Fixtures of this service's tests.

The kit's pytest plugin adds the rest: `postgres_url`, `start_grpc_server`, `mint_token`, ...
Tests run on SQLite, or on PostgreSQL when KNOWLEDGE_TEST_DATABASE=postgresql (tox -e postgresql).
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

from ms_canvas.main import MIGRATIONS

BACKEND_ENV = "KNOWLEDGE_TEST_DATABASE"


@pytest_asyncio.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """A fresh database migrated to head, on the backend KNOWLEDGE_TEST_DATABASE names."""
    backend = os.environ.get(BACKEND_ENV, "sqlite")
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'service.db'}"
        await upgrade_database(url, MIGRATIONS)
        yield url
        return
    if backend != "postgresql":
        pytest.fail(f"{BACKEND_ENV}={backend} is not a backend: use sqlite or postgresql")
    server = os.environ.get(POSTGRES_URL_ENV)
    if not server:
        pytest.fail(f"{BACKEND_ENV}=postgresql needs {POSTGRES_URL_ENV}", pytrace=False)
    database = unique_name("test")
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
