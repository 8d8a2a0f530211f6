"""Conditional writes: one statement checks the expected state and changes the row.

Such a statement holds under concurrency where read-then-write does not: on SQLite writers take
turns on the database lock and each sees the others' commits; on PostgreSQL (READ COMMITTED) an
UPDATE that waited for a row's concurrent writer checks its condition again on the committed
row, and INSERT ... ON CONFLICT DO NOTHING waits for a concurrent insert of the same key.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import CursorResult, Executable
from sqlalchemy.ext.asyncio import AsyncSession


async def changed_one_row(session: AsyncSession, statement: Executable) -> bool:
    """Run a conditional INSERT or UPDATE of at most one row; True when its condition held."""
    result = cast("CursorResult[Any]", await session.execute(statement))
    return result.rowcount == 1
