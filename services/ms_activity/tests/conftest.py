"""Fixtures of this service's tests.

The kit's pytest plugin adds the rest: `database_url` (migrated with
`service_migrations`), `sessions`, `postgres_url`, `start_grpc_server`, `mint_token`, ...
Tests run on SQLite, or on PostgreSQL when KNOWLEDGE_TEST_DATABASE=postgresql (tox -e postgresql).
The activities go to ClickHouse in process (chdb), a fresh database per test.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from knowledge_kit.testing import unique_name
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_activity.config import Settings
from ms_activity.main import MIGRATIONS, ActivityParts, activity_parts
from ms_activity.store import ActivityStore, open_store

from .support import Clock, Events, Spaces


@pytest.fixture
def service_migrations() -> Path:
    """This service's migrations, for the kit's `migrated_database_url`."""
    return MIGRATIONS


@pytest.fixture(scope="session")
def chdb_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One chdb directory for the test run (chdb holds one per process)."""
    return tmp_path_factory.mktemp("chdb")


@pytest.fixture
def settings(chdb_path: Path) -> Settings:
    return Settings(
        chdb_path=str(chdb_path),
        clickhouse_database=unique_name("activity").replace("-", "_"),
        erasure_poll_seconds=0.05,
        record_limit_per_minute=1000,
    )


@pytest_asyncio.fixture
async def store(settings: Settings) -> AsyncIterator[ActivityStore]:
    """A fresh activity store, dropped with its database after the test."""
    opened = await open_store(settings)
    try:
        yield opened
    finally:
        await opened.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def parts(
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
    store: ActivityStore,
    clock: Clock,
) -> ActivityParts:
    """The use cases as the composition root wires them, on the test databases."""
    return activity_parts(settings, sessions, store, clock)


@pytest.fixture
def spaces(sessions: async_sessionmaker[AsyncSession]) -> Spaces:
    """Memberships as knowledge.spaces.v1 would have delivered them."""
    return Spaces(sessions)


@pytest.fixture
def events(sessions: async_sessionmaker[AsyncSession], parts: ActivityParts) -> Events:
    """Consumed events applied as the kit's consumer applies them (with its inbox)."""
    return Events(sessions, parts)
