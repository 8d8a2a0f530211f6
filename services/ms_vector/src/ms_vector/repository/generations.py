"""The record of index generations: which model version serves, which is being built."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, insert, not_, select, update
from sqlalchemy.exc import IntegrityError
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
        await self._session.execute(insert(embedding_generations).values(**_row(record)))

    async def abandon_builds(self, except_model: str, error: str, now: datetime) -> None:
        """Builds of other models (the alias moved on while they ran) are failed."""
        table = embedding_generations
        await self._session.execute(
            update(table)
            .where(table.c.state == int(GenerationState.BUILDING), table.c.model != except_model)
            .values(
                state=int(GenerationState.FAILED), error=error, update_time=now, lease_until=None
            )
        )

    async def claim(self, record: GenerationRecord, now: datetime) -> bool:
        """Write `record` (its builder's claim) unless the model's generation serves already or
        another builder's lease on it still holds: one conditional UPDATE, or an INSERT that a
        concurrent one makes fail."""
        table = embedding_generations
        others_lease = and_(
            table.c.state == int(GenerationState.BUILDING),
            table.c.builder != record.builder,
            table.c.lease_until.is_not(None),
            table.c.lease_until > now,
        )
        result = await self._session.execute(
            update(table)
            .where(
                table.c.model == record.model,
                table.c.state != int(GenerationState.SERVING),
                not_(others_lease),
            )
            .values(**_row(record))
        )
        if getattr(result, "rowcount", 0) == 1:
            return True
        exists = await self._session.execute(
            select(table.c.model).where(table.c.model == record.model)
        )
        if exists.first() is not None:
            return False
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(table).values(**_row(record)))
        except IntegrityError:
            return False
        return True


def _row(record: GenerationRecord) -> dict[str, Any]:
    return {
        "model": record.model,
        "state": int(record.state),
        "sha256": record.sha256,
        "documents_total": record.documents_total,
        "documents_done": record.documents_done,
        "error": record.error,
        "create_time": record.create_time,
        "update_time": record.update_time,
        "builder": record.builder,
        "lease_until": record.lease_until,
    }


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
        builder=row["builder"],
        lease_until=aware(row["lease_until"]) if row["lease_until"] is not None else None,
    )
