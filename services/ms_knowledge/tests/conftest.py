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
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_knowledge.main import MIGRATIONS


@pytest.fixture
def service_migrations() -> Path:
    """This service's migrations, for the kit's `migrated_database_url`."""
    return MIGRATIONS


@pytest.fixture
def database_url(migrated_database_url: str) -> str:
    """A fresh database migrated to head, on the backend KNOWLEDGE_TEST_DATABASE names."""
    return migrated_database_url


@pytest_asyncio.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the test database."""
    engine = create_database_engine(database_url, traced=False)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()
