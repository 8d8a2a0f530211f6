"""Opening the store the settings name: a ClickHouse server when `clickhouse_url` is set,
ClickHouse in process (chdb, files under `chdb_path`) otherwise; migrated before use."""

from __future__ import annotations

import asyncio
from typing import Protocol

from pydantic import SecretStr

from .chdb_sql import ChdbSql
from .clickhouse_store import ClickHouseActivityStore
from .connect_sql import ConnectSql
from .sql import ClickHouse


class StoreSettings(Protocol):
    @property
    def clickhouse_url(self) -> str | None: ...
    @property
    def clickhouse_username(self) -> str: ...
    @property
    def clickhouse_password(self) -> SecretStr | None: ...
    @property
    def clickhouse_database(self) -> str: ...
    @property
    def chdb_path(self) -> str: ...
    @property
    def retention_days(self) -> int: ...


async def open_store(settings: StoreSettings) -> ClickHouseActivityStore:
    """The store, its schema migrated; StoreUnavailable when ClickHouse cannot be reached."""
    return await asyncio.to_thread(_open, settings)


def _open(settings: StoreSettings) -> ClickHouseActivityStore:
    sql: ClickHouse
    if settings.clickhouse_url:
        password = settings.clickhouse_password
        sql = ConnectSql(
            settings.clickhouse_url,
            username=settings.clickhouse_username,
            password=password.get_secret_value() if password else "",
        )
    else:
        sql = ChdbSql(settings.chdb_path)
    store = ClickHouseActivityStore(
        sql, settings.clickhouse_database, retention_days=settings.retention_days
    )
    try:
        store.migrate()
    except BaseException:
        sql.close()
        raise
    return store
