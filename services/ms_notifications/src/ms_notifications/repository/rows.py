"""What every repository of the service shares: times as stored, inserts that keep what exists."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")

# Rows per statement when a list of values goes into `IN (...)`.
CHUNK = 500


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for what was stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def maybe_aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else aware(moment)


def is_postgresql(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def insert_missing(
    session: AsyncSession, table: Table, rows: Sequence[dict[str, Any]]
) -> None:
    """Insert `rows`, leaving any whose key already exists as it is."""
    if not rows:
        return
    dialect = postgresql if is_postgresql(session) else sqlite
    await session.execute(dialect.insert(table).on_conflict_do_nothing(), list(rows))


def chunks(values: Sequence[T]) -> list[Sequence[T]]:
    return [values[start : start + CHUNK] for start in range(0, len(values), CHUNK)]
