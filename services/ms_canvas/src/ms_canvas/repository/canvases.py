"""Canvases in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.canvases import Canvas
from .tables import canvas_snapshots, canvas_updates, canvases


def to_micros(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def from_micros(micros: int) -> datetime:
    return datetime.fromtimestamp(micros / 1_000_000, UTC)


class SqlCanvasRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, canvas: Canvas) -> None:
        await self._session.execute(insert(canvases).values(**_row(canvas)))

    async def get(self, name: str) -> Canvas | None:
        row = (await self._session.execute(select(canvases).where(canvases.c.name == name))).first()
        return None if row is None else _canvas(row._mapping)

    async def list_in_space(self, space: str, *, offset: int, limit: int) -> Sequence[Canvas]:
        rows = await self._session.execute(
            select(canvases)
            .where(canvases.c.space == space)
            .order_by(canvases.c.name)
            .offset(offset)
            .limit(limit)
        )
        return [_canvas(row._mapping) for row in rows]

    async def save(self, canvas: Canvas) -> None:
        values = _row(canvas)
        del values["revision"]  # the update log owns the revision
        await self._session.execute(
            update(canvases).where(canvases.c.name == canvas.name).values(**values)
        )

    async def remove(self, name: str) -> None:
        for table, column in (
            (canvas_updates, canvas_updates.c.canvas),
            (canvas_snapshots, canvas_snapshots.c.canvas),
            (canvases, canvases.c.name),
        ):
            await self._session.execute(delete(table).where(column == name))

    async def remove_space(self, space: str) -> list[str]:
        names = list(
            (
                await self._session.execute(
                    select(canvases.c.name).where(canvases.c.space == space)
                )
            ).scalars()
        )
        for name in names:
            await self.remove(name)
        return names


def _row(canvas: Canvas) -> dict[str, Any]:
    return {
        "name": canvas.name,
        "space": canvas.space,
        "title": canvas.title,
        "description": canvas.description,
        "revision": canvas.revision,
        "etag": canvas.etag,
        "create_time_us": to_micros(canvas.create_time),
        "update_time_us": to_micros(canvas.update_time),
        "creator": canvas.creator,
    }


def _canvas(row: Any) -> Canvas:
    return Canvas(
        name=row["name"],
        title=row["title"],
        description=row["description"],
        revision=row["revision"],
        etag=row["etag"],
        create_time=from_micros(row["create_time_us"]),
        update_time=from_micros(row["update_time_us"]),
        creator=row["creator"],
    )
