"""Fixtures of this service's tests.

The kit's pytest plugin adds the rest: `database_url` (migrated with
`service_migrations`), `sessions`, `postgres_url`, `start_grpc_server`, `mint_token`, ...
Tests run on SQLite, or on PostgreSQL when KNOWLEDGE_TEST_DATABASE=postgresql (tox -e postgresql).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_notifications.config import Settings
from ms_notifications.main import MIGRATIONS, NotificationParts, notification_parts

from .support import Events, Spaces

SECRET = "an unsubscribe secret of the tests"


@pytest.fixture
def service_migrations() -> Path:
    """This service's migrations, for the kit's `migrated_database_url`."""
    return MIGRATIONS


@pytest.fixture
def settings() -> Settings:
    return Settings(unsubscribe_secret=SECRET, stream_poll_seconds=0.05)


@pytest.fixture
def parts(settings: Settings, sessions: async_sessionmaker[AsyncSession]) -> NotificationParts:
    """The use cases as the composition root wires them, on the test database."""
    return notification_parts(settings, sessions, Outbox("ms_notifications"))


@pytest.fixture
def spaces(sessions: async_sessionmaker[AsyncSession]) -> Spaces:
    """Memberships as knowledge.spaces.v1 would have delivered them."""
    return Spaces(sessions)


@pytest.fixture
def events(sessions: async_sessionmaker[AsyncSession], parts: NotificationParts) -> Events:
    """Consumed events applied as the kit's consumer applies them (with its inbox)."""
    return Events(sessions, parts)
