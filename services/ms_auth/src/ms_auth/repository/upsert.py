"""INSERT ... ON CONFLICT on either backend."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from .conditional import changed_one_row


async def upsert(session: AsyncSession, table: Table, values: dict[str, Any]) -> None:
    """Insert `values`, or update the row with the same primary key."""
    keys = [column.name for column in table.primary_key.columns]
    statement = _insert(session, table).values(**values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=keys,
            set_={name: value for name, value in values.items() if name not in keys},
        )
    )


async def insert_unless_present(
    session: AsyncSession, table: Table, values: dict[str, Any]
) -> bool:
    """Insert `values` unless a row with the same primary key exists (or is being inserted by a
    concurrent transaction that then commits); True when this insert is the one that landed."""
    statement = _insert(session, table).values(**values).on_conflict_do_nothing()
    return await changed_one_row(session, statement)


def _insert(session: AsyncSession, table: Table) -> Any:
    dialect = session.bind.dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
