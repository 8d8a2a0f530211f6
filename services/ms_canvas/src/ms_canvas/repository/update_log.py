"""The Yjs updates of every canvas: appended as they arrive, compacted into snapshots."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import pycrdt
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.ports import StoredState, StoredUpdate
from .tables import canvas_snapshots, canvas_updates, canvases


class SqlCanvasUpdateLog:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def append(self, updates: Sequence[StoredUpdate]) -> dict[str, int]:
        if not updates:
            return {}
        await self._session.execute(
            insert(canvas_updates),
            [{"canvas": u.canvas, "data": u.update, "author": u.author} for u in updates],
        )
        revisions = {}
        for canvas, count in Counter(u.canvas for u in updates).items():
            result = await self._session.execute(
                update(canvases)
                .where(canvases.c.name == canvas)
                .values(revision=canvases.c.revision + count)
                .returning(canvases.c.revision)
            )
            revision = result.scalar_one_or_none()
            if revision is not None:
                revisions[canvas] = int(revision)
        return revisions

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

    async def count_since_snapshot(self, canvas: str) -> int:
        count = await self._session.scalar(
            select(func.count())
            .select_from(canvas_updates)
            .where(canvas_updates.c.canvas == canvas)
        )
        return int(count or 0)

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
        state = pycrdt.merge_updates(*parts)
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
