"""Fixtures of this service's tests.

The kit's pytest plugin adds the rest: `database_url` (migrated with
`service_migrations`), `sessions`, `postgres_url`, `start_grpc_server`, `mint_token`, ...
Tests run on SQLite, or on PostgreSQL when KNOWLEDGE_TEST_DATABASE=postgresql (tox -e postgresql).
Artifacts are kept in a temporary directory, as the local store keeps them on one machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from knowledge_kit.api import PageTokens
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_ml.adapters.local_artifacts import LocalArtifactStore
from ms_ml.config import Settings
from ms_ml.main import MIGRATIONS, MlParts, ml_parts

ADMIN = "users/ada"


@pytest.fixture
def service_migrations() -> Path:
    """This service's migrations, for the kit's `migrated_database_url`."""
    return MIGRATIONS


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        artifact_dir=str(tmp_path / "artifacts"),
        artifact_cache_dir=str(tmp_path / "cache"),
        artifact_max_bytes=32 * 1024 * 1024,
        training_work_dir=str(tmp_path / "training"),
    )


@pytest.fixture
def store(settings: Settings) -> LocalArtifactStore:
    return LocalArtifactStore(Path(settings.artifact_dir), max_bytes=settings.artifact_max_bytes)


@pytest.fixture
def ml(
    settings: Settings, sessions: async_sessionmaker[AsyncSession], store: LocalArtifactStore
) -> MlParts:
    """The use cases as the composition root wires them, on the test database."""
    return ml_parts(settings, sessions, Outbox("ms_ml"), store, PageTokens(b"tests"))
