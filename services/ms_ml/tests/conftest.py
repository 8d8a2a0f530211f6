"""Fixtures of this service's tests.

The kit's pytest plugin adds the rest: `database_url` (migrated with
`service_migrations`), `sessions`, `postgres_url`, `start_grpc_server`, `mint_token`, ...
Tests run on SQLite, or on PostgreSQL when KNOWLEDGE_TEST_DATABASE=postgresql (tox -e postgresql).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from knowledge_kit.api import PageTokens
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_ml.main import MIGRATIONS
from ms_ml.repository.notes import SqlNoteUnitOfWork
from ms_ml.service.notes import NoteUseCases


@pytest.fixture
def service_migrations() -> Path:
    """This service's migrations, for the kit's `migrated_database_url`."""
    return MIGRATIONS


@pytest.fixture
def note_use_cases(sessions: async_sessionmaker[AsyncSession]) -> NoteUseCases:
    """The note use cases on the test database, as the composition root wires them."""
    return NoteUseCases(
        lambda: SqlNoteUnitOfWork(sessions), title_max_length=200, pages=PageTokens(b"tests")
    )
