"""The record of index generations: which model version serves, which is being built."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.generations import GenerationRecord, GenerationState
from .index_records import aware
from .tables import embedding_generations


class SqlGenerations:
    """Generation rows within one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def all(self) -> list[GenerationRecord]:
        rows = await self._session.execute(
            select(embedding_generations).order_by(embedding_generations.c.create_time)
        )
        return [_record(row._mapping) for row in rows]

    async def serving(self) -> GenerationRecord | None:
        rows = await self._session.execute(
            select(embedding_generations).where(
                embedding_generations.c.state == int(GenerationState.SERVING)
            )
        )
        row = rows.first()
        return _record(row._mapping) if row is not None else None

    async def save(self, record: GenerationRecord) -> None:
        """Write `record` over the row of its model (if any)."""
        await self._session.execute(
            delete(embedding_generations).where(embedding_generations.c.model == record.model)
        )
        await self._session.execute(
            insert(embedding_generations).values(
                model=record.model,
                state=int(record.state),
                sha256=record.sha256,
                documents_total=record.documents_total,
                documents_done=record.documents_done,
                error=record.error,
                create_time=record.create_time,
                update_time=record.update_time,
            )
        )


def _record(row: Any) -> GenerationRecord:
    return GenerationRecord(
        model=row["model"],
        state=GenerationState(row["state"]),
        sha256=row["sha256"],
        documents_total=row["documents_total"],
        documents_done=row["documents_done"],
        error=row["error"],
        create_time=aware(row["create_time"]),
        update_time=aware(row["update_time"]),
    )
