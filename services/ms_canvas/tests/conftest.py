"""Fixtures of this service's tests.

The kit's pytest plugin adds the rest: `postgres_url`, `start_grpc_server`, `mint_token`, ...
Tests run on SQLite, or on PostgreSQL when KNOWLEDGE_TEST_DATABASE=postgresql (tox -e postgresql).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from knowledge_kit.database import create_database_engine, session_factory
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ms_canvas.main import MIGRATIONS


@pytest.fixture
def service_migrations() -> Path:
    """This service's migrations, for the kit's `migrated_database_url`."""
    return MIGRATIONS


@pytest.fixture
def database_url(migrated_database_url: str) -> str:
    """A fresh database migrated to head, on the backend KNOWLEDGE_TEST_DATABASE names."""
    return migrated_database_url


@pytest_asyncio.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the test database."""
    engine = create_database_engine(database_url, traced=False)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on the test database."""
    return session_factory(engine)
