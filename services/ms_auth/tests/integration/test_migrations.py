"""The migrations on both backends: up, down, up again, and the migrated schema is exactly the
declared one (the service's tables and the kit's event tables)."""

from __future__ import annotations

import pytest
from knowledge_kit.database.migration_check import check_migrations_on, declared_schema

from ms_auth.main import MIGRATIONS
from ms_auth.migrations.check import DECLARED


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_migrations_go_up_down_and_up_again(backend: str, postgres_url: str) -> None:
    await check_migrations_on(backend, MIGRATIONS, declared_schema(DECLARED))
