"""Reindex operations kept in the database, so any instance can answer for them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.reindex import ReindexOperation, ReindexState
from .index_records import aware
from .tables import reindex_operations


class SqlReindexOperations:
    """Rows of `reindex_operations` within one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, operation: ReindexOperation) -> None:
        await self._session.execute(insert(reindex_operations).values(**_row(operation)))

    async def get(self, name: str) -> ReindexOperation | None:
        row = (
            await self._session.execute(
                select(reindex_operations).where(reindex_operations.c.name == name)
            )
        ).first()
        return _operation(row._mapping) if row is not None else None

    async def running_in(self, space: str) -> ReindexOperation | None:
        row = (
            await self._session.execute(
                select(reindex_operations).where(
                    reindex_operations.c.space == space,
                    reindex_operations.c.state == int(ReindexState.RUNNING),
                )
            )
        ).first()
        return _operation(row._mapping) if row is not None else None

    async def save(self, operation: ReindexOperation) -> None:
        await self._session.execute(
            update(reindex_operations)
            .where(reindex_operations.c.name == operation.name)
            .values(**_row(operation))
        )

    async def fail_running(self, error: str, now: datetime) -> int:
        """Marks every running operation failed (their process is gone); how many there were."""
        result = await self._session.execute(
            update(reindex_operations)
            .where(reindex_operations.c.state == int(ReindexState.RUNNING))
            .values(state=int(ReindexState.FAILED), error=error, end_time=now)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _row(operation: ReindexOperation) -> dict[str, Any]:
    return {
        "name": operation.name,
        "space": operation.space,
        "state": int(operation.state),
        "documents_total": operation.documents_total,
        "documents_indexed": operation.documents_indexed,
        "documents_failed": operation.documents_failed,
        "error": operation.error,
        "requested_by": operation.requested_by,
        "create_time": operation.create_time,
        "end_time": operation.end_time,
    }


def _operation(row: Any) -> ReindexOperation:
    end_time = row["end_time"]
    return ReindexOperation(
        name=row["name"],
        space=row["space"],
        state=ReindexState(row["state"]),
        documents_total=row["documents_total"],
        documents_indexed=row["documents_indexed"],
        documents_failed=row["documents_failed"],
        error=row["error"],
        requested_by=row["requested_by"],
        create_time=aware(row["create_time"]),
        end_time=aware(end_time) if end_time is not None else None,
    )
