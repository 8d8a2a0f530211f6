"""Fixtures of this service's tests.

The kit's pytest plugin adds the rest: `database_url` (migrated with
`service_migrations`), `sessions`, `postgres_url`, `start_grpc_server`, `mint_token`, ...
Tests run on SQLite, or on PostgreSQL when KNOWLEDGE_TEST_DATABASE=postgresql (tox -e postgresql).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from knowledge_kit.embeddings import WordLlamaEmbedder
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_vector.adapters.faiss_index import FaissVectorIndex
from ms_vector.config import Settings
from ms_vector.main import MIGRATIONS, VectorParts, vector_parts

from .support import Spaces, UnreachableKnowledge


@pytest.fixture
def service_migrations() -> Path:
    """This service's migrations, for the kit's `migrated_database_url`."""
    return MIGRATIONS


@pytest.fixture(scope="session")
def embedder() -> WordLlamaEmbedder:
    """The real embedding model, loaded once (from the weights its wheel ships)."""
    return WordLlamaEmbedder()


@pytest_asyncio.fixture
async def vector(
    sessions: async_sessionmaker[AsyncSession], embedder: WordLlamaEmbedder, tmp_path: Path
) -> AsyncIterator[VectorParts]:
    """The use cases as the composition root wires them, on the test database and an
    in-process HNSW index persisted under the test's directory."""
    dense = FaissVectorIndex(embedder.dimensions, tmp_path / "index.npz")
    settings = Settings(chunk_max_chars=400, chunk_overlap_chars=60)
    parts = vector_parts(
        settings, sessions, Outbox("ms_vector"), embedder, dense, UnreachableKnowledge()
    )
    await parts.live.load()
    yield parts
    await dense.close()


@pytest.fixture
def spaces(sessions: async_sessionmaker[AsyncSession]) -> Spaces:
    """Memberships as knowledge.spaces.v1 would have delivered them."""
    return Spaces(sessions)
