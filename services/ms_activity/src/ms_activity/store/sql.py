"""The one thing the store needs from ClickHouse: run a statement with bound parameters and read
its rows. Two adapters give it, with the same SQL: `ChdbSql` (ClickHouse in process through chdb;
locally and in the tests) and `ConnectSql` (clickhouse-connect; a ClickHouse server in a cluster).

Parameters travel as ClickHouse query parameters (`{name:Type}` in the SQL), never pasted into
the text; rows come back as JSONEachRow, decoded here the same way for both adapters.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

Param = str | int | datetime | Sequence[str]
Params = Mapping[str, Param]
Row = dict[str, Any]

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class StoreUnavailable(ConnectionError):
    """ClickHouse cannot be reached (or its engine failed to start): nothing was read or written.

    A ConnectionError, so an event consumer stops and has the events delivered again instead of
    dead-lettering them."""


class ClickHouse(Protocol):
    """Runs SQL on ClickHouse (blocking calls; the store runs them in a worker thread)."""

    def rows(self, sql: str, params: Params | None = None) -> list[Row]:
        """The rows of a SELECT, each a dict of its columns."""
        ...

    def execute(self, sql: str, params: Params | None = None) -> None:
        """A statement that returns nothing worth reading (DDL, INSERT, DELETE)."""
        ...

    def insert(self, table: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Rows into `table` (database.table), as JSONEachRow."""
        ...

    def close(self) -> None: ...


def checked_identifier(name: str) -> str:
    """A database name the SQL may hold (quoted with backquotes where used)."""
    if _IDENTIFIER.fullmatch(name) is None:
        raise ValueError(f"not a ClickHouse database name: {name!r}")
    return name


def ch_time(value: datetime) -> str:
    """A DateTime64(3) parameter or JSON value: UTC, milliseconds."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]


def parse_time(value: str) -> datetime:
    """A DateTime64(3, 'UTC') or DateTime('UTC') column read back."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def literal(value: Param) -> str:
    """The text form ClickHouse takes a query parameter in (for adapters that pass text)."""
    if isinstance(value, datetime):
        return ch_time(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value
    return "[" + ",".join(_quoted(item) for item in value) + "]"


def _quoted(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def decode_rows(payload: bytes | str) -> list[Row]:
    """JSONEachRow output as dicts."""
    text = payload.decode() if isinstance(payload, bytes) else payload
    return [json.loads(line) for line in text.splitlines() if line]


def json_each_row(rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows as JSONEachRow data."""
    return "\n".join(json.dumps(row, ensure_ascii=False, separators=(",", ":")) for row in rows)
