"""Fixtures of this service's tests.

The kit's pytest plugin adds the rest: `database_url` (migrated with `service_migrations`),
`sessions`, `postgres_url`, `kafka_bootstrap`, `jwks_endpoint`, `start_grpc_server`, ...
Tests run on SQLite, or on PostgreSQL when KNOWLEDGE_TEST_DATABASE=postgresql (tox -e postgresql).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from knowledge_kit.database import create_database_engine
from sqlalchemy.ext.asyncio import AsyncEngine

from ms_canvas.main import MIGRATIONS


@pytest.fixture
def service_migrations() -> Path:
    """This service's migrations, for the kit's `migrated_database_url`."""
    return MIGRATIONS


@pytest_asyncio.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the test database (the update journal writes through one)."""
    engine = create_database_engine(database_url, traced=False)
    try:
        yield engine
    finally:
        await engine.dispose()
