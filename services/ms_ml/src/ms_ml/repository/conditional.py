"""Conditional writes: one statement checks the expected state and changes the row.

Such a statement holds under concurrency where read-then-write does not: on SQLite writers take
turns on the database lock and each sees the others' commits; on PostgreSQL (READ COMMITTED) an
UPDATE that waited for a row's concurrent writer checks its condition again on the committed
row, and INSERT ... ON CONFLICT DO NOTHING waits for a concurrent insert of the same key.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Executable, Select, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


async def changed_rows(session: AsyncSession, statement: Executable) -> int:
    """Run a conditional INSERT, UPDATE or DELETE; how many rows it changed."""
    result = cast("CursorResult[Any]", await session.execute(statement))
    return int(result.rowcount)


async def inserted_unless_present(
    session: AsyncSession,
    table: Table,
    values: dict[str, Any] | Select[Any],
    columns: list[str] | None = None,
) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING of `values`, or of the row a SELECT gives `columns`
    (none when its condition fails); True when a row was new."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    if isinstance(values, dict):
        statement = insert(table).values(**values)
    else:
        statement = insert(table).from_select(columns or [], values)
    return await changed_rows(session, statement.on_conflict_do_nothing()) == 1
