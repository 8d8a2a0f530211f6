"""The migrations on both backends: up, down, up again, and the migrated schema is exactly the
declared one (the service's tables and the kit's event tables)."""

from __future__ import annotations

import pytest

from ms_auth.migrations.check import check_backend


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_migrations_go_up_down_and_up_again(backend: str, postgres_url: str) -> None:
    await check_backend(backend)
