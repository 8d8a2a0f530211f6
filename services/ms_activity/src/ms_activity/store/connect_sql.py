"""A ClickHouse server through clickhouse-connect (HTTP): the engine of a cluster.

clickhouse-connect binds the `{name:Type}` parameters itself (server-side binding) and reads the
rows as JSONEachRow, so the store's SQL is the same as on chdb. No ClickHouse server binary runs
where the tests run: they drive this adapter through clickhouse-connect's chdb backend
(`chdb://<path>`, registered by chdb), which is the same client API with the engine in process.
A refused or dropped connection is `StoreUnavailable`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import clickhouse_connect
from clickhouse_connect.driver.exceptions import OperationalError

from .sql import Params, Row, StoreUnavailable, decode_rows, json_each_row

_SETTINGS = {"output_format_json_quote_64bit_integers": 0}


class ConnectSql:
    """A clickhouse-connect client for `url` (http(s)://host:8123, or chdb://<path>)."""

    def __init__(self, url: str, *, username: str = "default", password: str = "") -> None:
        try:
            # In process (chdb://) there is no user to sign in as.
            if url.startswith("chdb:"):
                self._client: Any = clickhouse_connect.get_client(dsn=url)
            else:
                self._client = clickhouse_connect.get_client(
                    dsn=url,
                    username=username,
                    password=password,
                    autogenerate_session_id=False,
                )
        except OperationalError as error:
            raise StoreUnavailable(f"ClickHouse at {url} cannot be reached: {error}") from error

    def rows(self, sql: str, params: Params | None = None) -> list[Row]:
        try:
            payload = self._client.raw_query(
                sql,
                parameters=dict(params) if params else None,
                settings=_SETTINGS,
                fmt="JSONEachRow",
            )
        except OperationalError as error:
            raise StoreUnavailable(str(error)) from error
        return decode_rows(payload)

    def execute(self, sql: str, params: Params | None = None) -> None:
        try:
            self._client.command(sql, parameters=dict(params) if params else None)
        except OperationalError as error:
            raise StoreUnavailable(str(error)) from error

    def insert(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        try:
            self._client.raw_insert(
                table, insert_block=json_each_row(rows).encode(), fmt="JSONEachRow"
            )
        except OperationalError as error:
            raise StoreUnavailable(str(error)) from error

    def close(self) -> None:
        self._client.close()
