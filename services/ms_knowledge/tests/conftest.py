"""Fixtures of this service's tests.

The kit's pytest plugin adds the rest: `database_url` (migrated with `service_migrations`),
`sessions`, `postgres_url`, `start_grpc_server`, `mint_token`, ...
Tests run on SQLite, or on PostgreSQL when KNOWLEDGE_TEST_DATABASE=postgresql (tox -e postgresql).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ms_knowledge.main import MIGRATIONS


@pytest.fixture
def service_migrations() -> Path:
    """This service's migrations, for the kit's `migrated_database_url`."""
    return MIGRATIONS
