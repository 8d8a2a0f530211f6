"""Fixtures of this service's tests: a migrated database, settings and the wired use cases.

The kit's pytest plugin adds the rest: `database_url` (migrated with `service_migrations`),
`sessions`, `postgres_url`, `kafka_bootstrap`, ... Tests run on SQLite, or on PostgreSQL at
KNOWLEDGE_TEST_POSTGRES_URL when KNOWLEDGE_TEST_DATABASE=postgresql (tox -e postgresql;
`fleet test` runs every service's tests on PostgreSQL).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_auth.config import Settings
from ms_auth.main import MIGRATIONS, AuthUseCases, auth_use_cases

ADMIN_EMAIL = "root@example.com"
PASSWORD = "correct horse battery"


@pytest.fixture
def service_migrations() -> Path:
    """This service's migrations, for the kit's `migrated_database_url`."""
    return MIGRATIONS


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
