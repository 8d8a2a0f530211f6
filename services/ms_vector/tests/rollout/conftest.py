"""ms_ml, in this process on a database of its own, serving its gRPC API on loopback: where
the embedder versions ms_vector follows are registered."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio
from knowledge_kit.api import PageTokens
from knowledge_kit.database.engine import create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.events import Outbox
from knowledge_kit.rpc import token_verifier
from ms_ml.adapters.local_artifacts import LocalArtifactStore
from ms_ml.config import Settings as MlSettings
from ms_ml.main import MIGRATIONS as ML_MIGRATIONS
from ms_ml.main import MlParts, build_server, ml_parts, registered_embedder
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


@pytest.fixture
def ml_settings(service_settings: Any, tmp_path: Path) -> MlSettings:
    return MlSettings(
        **service_settings.model_dump(exclude={"service_name", "database_url"}),
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'ml.db'}",
        artifact_dir=str(tmp_path / "ml-artifacts"),
        artifact_cache_dir=str(tmp_path / "ml-cache"),
        training_work_dir=str(tmp_path / "ml-training"),
    )


@pytest_asyncio.fixture
async def ml_sessions(ml_settings: MlSettings) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    await upgrade_database(ml_settings.database_url, ML_MIGRATIONS)
    engine = create_database_engine(ml_settings.database_url, traced=False)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@pytest_asyncio.fixture
async def ml(ml_settings: MlSettings, ml_sessions: async_sessionmaker[AsyncSession]) -> MlParts:
    """ms_ml's use cases, the shipped embedder registered as at its start (version 1,
    alias production)."""
    store = LocalArtifactStore(Path(ml_settings.artifact_dir), max_bytes=64 * 1024 * 1024)
    parts = ml_parts(ml_settings, ml_sessions, Outbox("ms_ml"), store, PageTokens(b"tests"))
    await registered_embedder(ml_settings, parts)
    return parts


@pytest_asyncio.fixture
async def ml_channel(ml_settings: MlSettings, ml: MlParts) -> AsyncIterator[grpc.aio.Channel]:
    server = build_server(ml_settings, ml, token_verifier(ml_settings))
    port = await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield channel
    finally:
        await server.stop(0)
