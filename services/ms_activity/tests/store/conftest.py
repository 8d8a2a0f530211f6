"""The store's tests run on ClickHouse in process (chdb), through both adapters.

No ClickHouse server binary is available where the tests run, so the clickhouse-connect adapter
(`ConnectSql`, the one a cluster uses) is driven through clickhouse-connect's chdb backend
(`chdb://<path>`): the same client, parameter binding and JSONEachRow reading, with the engine
in process instead of behind HTTP. Both adapters share the test run's one chdb directory; each
test has its own database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from knowledge_kit.testing import unique_name

from ms_activity.store import ChdbSql, ClickHouse, ClickHouseActivityStore, ConnectSql


def _adapter(kind: str, path: Path) -> ClickHouse:
    return ChdbSql(str(path)) if kind == "chdb" else ConnectSql(f"chdb://{path}")


@pytest.fixture
def database() -> str:
    return unique_name("activity").replace("-", "_")


@pytest_asyncio.fixture(params=["chdb", "clickhouse-connect"])
async def activity_store(
    request: pytest.FixtureRequest, chdb_path: Path, database: str
) -> AsyncIterator[ClickHouseActivityStore]:
    """A migrated store in a fresh database, through one adapter or the other."""
    store = ClickHouseActivityStore(_adapter(request.param, chdb_path), database)
    store.migrate()
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def reopen(chdb_path: Path, database: str) -> ClickHouseActivityStore:
    """Another store on the same database (as a second instance or a restart would open)."""
    return ClickHouseActivityStore(ChdbSql(str(chdb_path)), database)
