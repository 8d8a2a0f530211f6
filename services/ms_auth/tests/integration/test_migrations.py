"""The migrations on both backends: up, down, up again, and nothing the tables declare is missing."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from knowledge_kit.database import create_database_engine
from sqlalchemy import Connection

from ms_auth.migrations.check import check_backend
from ms_auth.repository.tables import metadata


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_migrations_go_up_down_and_up_again(backend: str, postgres_url: str) -> None:
    await check_backend(backend)


async def test_the_migrated_schema_is_the_schema_the_repositories_use(database_url: str) -> None:
    engine = create_database_engine(database_url, traced=False)
    try:
        async with engine.connect() as connection:

            def differences(sync: Connection) -> list[object]:
                context = MigrationContext.configure(sync, opts={"compare_type": True})
                return list(compare_metadata(context, metadata))

            assert await connection.run_sync(differences) == []
    finally:
        await engine.dispose()
