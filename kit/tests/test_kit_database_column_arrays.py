"""Staged rows go into PostgreSQL as one statement of column arrays: the same rows, in the same
order, with the same refusals and roundings as inserting them one by one; types that convert
values on the way in (JSON, booleans) are inserted row by row as before."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    select,
)
from sqlalchemy.exc import DBAPIError

from knowledge_kit.database import (
    UnitOfWork,
    create_database_engine,
    session_factory,
    stage_insert,
)
from knowledge_kit.database.column_arrays import column_arrays_insert

ROWS = MetaData()
ledger = Table(
    "ledger",
    ROWS,
    Column("id", Integer, primary_key=True),
    Column("label", String(8), nullable=False),
    Column("amount", Numeric(6, 2)),
    Column("at", DateTime(timezone=True)),
    Column("blob", LargeBinary),
)
flags = Table(
    "flags",
    ROWS,
    Column("id", Integer, primary_key=True),
    Column("on", Boolean, nullable=False),
    Column("extra", JSON),
)
keyed = Table(
    "keyed", ROWS, Column("id", Integer, primary_key=True), Column("tag", Text, key="label")
)
AT = datetime(2026, 12, 7, 6, 0, tzinfo=UTC)


async def _staged_then_read(url: str, table: Table, rows: list[dict[str, Any]]) -> list[Any]:
    engine = create_database_engine(url, traced=False)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(ROWS.create_all)
        sessions = session_factory(engine)
        async with UnitOfWork(sessions) as uow:
            for row in rows:
                stage_insert(uow.session, table, row)
            await uow.commit()
        async with sessions() as session:
            read = await session.execute(select(table).order_by(table.c.id))
            return [tuple(row) for row in read]
    finally:
        await engine.dispose()


async def test_rows_keep_their_order_values_and_nulls(postgres_database_url: str) -> None:
    rows = [
        {"label": f"r{number}", "amount": Decimal("1.234"), "at": AT, "blob": bytes([number])}
        for number in range(5)
    ]
    rows[2] = {"label": "empty", "amount": None, "at": None, "blob": None}
    assert await _staged_then_read(postgres_database_url, ledger, rows) == [
        (1, "r0", Decimal("1.23"), AT, b"\x00"),
        (2, "r1", Decimal("1.23"), AT, b"\x01"),
        (3, "empty", None, None, None),
        (4, "r3", Decimal("1.23"), AT, b"\x03"),
        (5, "r4", Decimal("1.23"), AT, b"\x04"),
    ]


async def test_a_text_too_long_for_its_column_is_refused_not_cut_short(
    postgres_database_url: str,
) -> None:
    rows = [{"label": "fits", "amount": None, "at": None, "blob": None}] * 3
    rows.append({"label": "far too long", "amount": None, "at": None, "blob": None})
    with pytest.raises(DBAPIError, match="value too long"):
        await _staged_then_read(postgres_database_url, ledger, rows)


async def test_types_that_convert_values_go_in_row_by_row(postgres_database_url: str) -> None:
    rows: list[dict[str, Any]] = [{"on": True, "extra": {"n": 1}}, {"on": False, "extra": None}]
    assert await _staged_then_read(postgres_database_url, flags, rows) == [
        (1, True, {"n": 1}),
        (2, False, None),
    ]


def test_the_statement_is_made_for_plain_postgresql_columns_only() -> None:
    postgresql = create_database_engine("postgresql+asyncpg://db/x", traced=False).dialect
    sqlite = create_database_engine("sqlite+aiosqlite://", traced=False).dialect
    statement = column_arrays_insert(ledger, ("label", "amount"), postgresql)
    assert statement is not None
    assert "CAST(:c0 AS VARCHAR[])" in statement.text  # no length: the column checks it
    assert "CAST(:c1 AS NUMERIC[])" in statement.text
    assert column_arrays_insert(ledger, ("label",), sqlite) is None
    assert column_arrays_insert(flags, ("on",), postgresql) is None
    assert column_arrays_insert(flags, ("extra",), postgresql) is None
    assert column_arrays_insert(ledger, ("missing",), postgresql) is None
    by_key = column_arrays_insert(keyed, ("label",), postgresql)  # rows name a column by key
    assert by_key is not None and "INSERT INTO keyed (tag)" in by_key.text
