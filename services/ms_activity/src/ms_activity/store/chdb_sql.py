"""ClickHouse in process through chdb: the engine of a laptop and of the tests.

chdb hosts one engine per process, bound to one directory; any number of connections to that
directory may be open (one per store here), each store in its own database. Parameters are
passed as text, the form ClickHouse's `{name:Type}` placeholders take. The engine starts with
`chdb.xml` beside this module: it removes outdated parts one at a time, so a long-running
service keeps a steady number of threads and descriptors.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import chdb

from .sql import Params, Row, StoreUnavailable, decode_rows, json_each_row, literal

_FORMAT = "JSONEachRow"
# What chdb says when the connection (or its engine) was closed.
_ENGINE_GONE = "closed"
# 64-bit integers as JSON numbers, not strings; the engine's configuration (read when it starts).
_CONFIG = Path(__file__).with_name("chdb.xml")
_SETTINGS = f"output_format_json_quote_64bit_integers=0&config-file={_CONFIG}"


class ChdbSql:
    """A chdb connection to the engine under `path`."""

    def __init__(self, path: str) -> None:
        try:
            self._connection = chdb.connect(  # type: ignore[no-untyped-call]
                f"{path}?{_SETTINGS}"
            )
        except RuntimeError as error:
            raise StoreUnavailable(f"chdb could not open {path}: {error}") from error
        # One query at a time per connection (chdb's rule for a connection).
        self._lock = threading.Lock()

    def rows(self, sql: str, params: Params | None = None) -> list[Row]:
        return decode_rows(self._run(sql, params))

    def execute(self, sql: str, params: Params | None = None) -> None:
        self._run(sql, params)

    def insert(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        if rows:
            self._run(f"INSERT INTO {table} FORMAT JSONEachRow\n{json_each_row(rows)}", None)

    def close(self) -> None:
        with self._lock:
            self._connection.close()

    def _run(self, sql: str, params: Params | None) -> bytes:
        text = {name: literal(value) for name, value in (params or {}).items()}
        with self._lock:
            try:
                result = self._connection.query(sql, _FORMAT, params=text or None)
            except RuntimeError as error:
                if _ENGINE_GONE in str(error):
                    raise StoreUnavailable(str(error)) from error
                raise
        payload: bytes = result.bytes()
        return payload
