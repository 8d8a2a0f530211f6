"""Fixtures of this service's tests.

The kit's pytest plugin adds the rest: `database_url` (migrated with
`service_migrations`), `sessions`, `postgres_url`, `start_grpc_server`, `mint_token`, ...
Tests run on SQLite, or on PostgreSQL when KNOWLEDGE_TEST_DATABASE=postgresql (tox -e postgresql).

Answers are retrieved from a real ms_vector served in process on its own SQLite database, as
the composition roots of both services wire them, and written by the extractive answerer.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import grpc
import pytest
import pytest_asyncio
from knowledge_kit.database import create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.embeddings import WordLlamaEmbedder
from knowledge_kit.events import Outbox
from ms_vector import main as vector_main
from ms_vector.adapters.faiss_index import FaissVectorIndex
from ms_vector.config import Settings as VectorSettings
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_chat.adapters.vector_search import VectorSearch
from ms_chat.config import Settings
from ms_chat.domain.answers import Answerer
from ms_chat.main import MIGRATIONS, ChatParts, chat_parts
from ms_chat.service.answerers import answerer_from

from .support import Platform


class _NoDocumentSource:
    """ms_vector's source for ReindexSpace, which these tests never call."""

    async def members(self, space: str, token: str) -> dict[str, int]:
        raise ConnectionError("ms_knowledge is not part of these tests")

    async def revisions(self, space: str, token: str) -> AsyncIterator[Any]:
        raise ConnectionError("ms_knowledge is not part of these tests")
        yield  # pragma: no cover - makes this an async generator


@pytest.fixture
def service_migrations() -> Path:
    """This service's migrations, for the kit's `migrated_database_url`."""
    return MIGRATIONS


@pytest.fixture(scope="session")
def vector_embedder() -> WordLlamaEmbedder:
    """ms_vector's embedding model, loaded once (from the weights its wheel ships)."""
    return WordLlamaEmbedder()


@pytest.fixture(scope="session")
def answerer() -> Answerer:
    """The default answerer, as the settings choose it."""
    return answerer_from(Settings())


@pytest_asyncio.fixture
async def vector_target(
    tmp_path: Path,
    vector_embedder: WordLlamaEmbedder,
    start_grpc_server: Callable[..., Any],
) -> AsyncIterator[tuple[str, vector_main.VectorParts, async_sessionmaker[AsyncSession]]]:
    """ms_vector's real servicer behind the kit's pipeline, on its own migrated database."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'vector.db'}"
    await upgrade_database(url, vector_main.MIGRATIONS)
    engine = create_database_engine(url)
    sessions = session_factory(engine)
    dense = FaissVectorIndex(vector_embedder.dimensions, tmp_path / "index.npz")
    parts = vector_main.vector_parts(
        VectorSettings(chunk_max_chars=400, chunk_overlap_chars=60),
        sessions,
        Outbox("ms_vector"),
        vector_embedder,
        dense,
        _NoDocumentSource(),
    )
    await parts.live.load()
    running = await start_grpc_server(*vector_main.servicers(parts))
    yield running.target, parts, sessions
    await dense.close()
    await engine.dispose()


@pytest.fixture
def platform(
    sessions: async_sessionmaker[AsyncSession],
    vector_target: tuple[str, vector_main.VectorParts, async_sessionmaker[AsyncSession]],
) -> Platform:
    _, parts, vector_sessions = vector_target
    return Platform(sessions, vector_sessions, parts)


@pytest_asyncio.fixture
async def chat(
    sessions: async_sessionmaker[AsyncSession],
    vector_target: tuple[str, vector_main.VectorParts, async_sessionmaker[AsyncSession]],
    answerer: Answerer,
) -> AsyncIterator[ChatParts]:
    """The chat's use cases as the composition root wires them, answers produced meanwhile."""
    async for parts in running_chat(sessions, vector_target[0], answerer):
        yield parts


async def running_chat(
    sessions: async_sessionmaker[AsyncSession], target: str, answerer: Answerer
) -> AsyncIterator[ChatParts]:
    async with grpc.aio.insecure_channel(target) as channel:
        parts = chat_parts(Settings(), sessions, Outbox("ms_chat"), VectorSearch(channel), answerer)
        stop = asyncio.Event()
        producing = asyncio.create_task(parts.producers.run(stop))
        yield parts
        stop.set()
        await producing
