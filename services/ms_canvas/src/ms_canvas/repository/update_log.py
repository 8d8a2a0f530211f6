"""The Yjs updates of every canvas, as stored: loaded back and compacted into snapshots
(SqlUpdateAppender stores them as they arrive)."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.ports import StoredState
from ..domain.snapshots import folded
from .tables import canvas_snapshots, canvas_updates, canvases


class SqlCanvasUpdateLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def load(self, canvas: str) -> StoredState:
        snapshot_row = (
            await self._session.execute(
                select(canvas_snapshots.c.state, canvas_snapshots.c.through_update_id).where(
                    canvas_snapshots.c.canvas == canvas
                )
            )
        ).first()
        through = 0 if snapshot_row is None else int(snapshot_row.through_update_id)
        rows = await self._session.execute(
            select(canvas_updates.c.data)
            .where(canvas_updates.c.canvas == canvas, canvas_updates.c.id > through)
            .order_by(canvas_updates.c.id)
        )
        return StoredState(
            snapshot=None if snapshot_row is None else bytes(snapshot_row.state),
            updates=tuple(bytes(data) for data in rows.scalars()),
        )

    async def compact(self, canvas: str) -> int:
        # Lock the canvas row, so that two instances never compact one canvas at once.
        locked = await self._session.execute(
            select(canvases.c.name).where(canvases.c.name == canvas).with_for_update()
        )
        if locked.first() is None:
            return 0
        snapshot_row = (
            await self._session.execute(
                select(canvas_snapshots.c.state).where(canvas_snapshots.c.canvas == canvas)
            )
        ).first()
        rows = (
            await self._session.execute(
                select(canvas_updates.c.id, canvas_updates.c.data)
                .where(canvas_updates.c.canvas == canvas)
                .order_by(canvas_updates.c.id)
            )
        ).all()
        if not rows:
            return 0
        parts = [bytes(row.data) for row in rows]
        if snapshot_row is not None:
            parts.insert(0, bytes(snapshot_row.state))
        state = await folded(parts)
        through = int(rows[-1].id)
        if snapshot_row is None:
            await self._session.execute(
                insert(canvas_snapshots).values(
                    canvas=canvas, state=state, through_update_id=through
                )
            )
        else:
            await self._session.execute(
                update(canvas_snapshots)
                .where(canvas_snapshots.c.canvas == canvas)
                .values(state=state, through_update_id=through)
            )
        await self._session.execute(
            delete(canvas_updates).where(
                canvas_updates.c.canvas == canvas, canvas_updates.c.id <= through
            )
        )
        return len(rows)
