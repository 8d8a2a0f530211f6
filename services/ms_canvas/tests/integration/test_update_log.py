"""The update log on SQLite and PostgreSQL: appended updates and compacted snapshots load back
into the same document, and revisions count every stored update."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pycrdt
from knowledge_kit.database import session_factory
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncEngine

from ms_canvas.domain.canvases import Canvas
from ms_canvas.domain.ports import StoredUpdate
from ms_canvas.repository.unit_of_work import SqlCanvasUnitOfWork
from ms_canvas.repository.update_appender import SqlUpdateAppender

NAME = "spaces/s1/canvases/c1"


def edits(count: int) -> tuple[pycrdt.Doc[Any], list[bytes]]:
    doc: pycrdt.Doc[Any] = pycrdt.Doc()
    nodes = doc.get("nodes", type=pycrdt.Map)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for index in range(count):
        nodes[f"n{index}"] = pycrdt.Map({"x": float(index)})
    return doc, updates


async def test_updates_survive_compaction_and_load_back(engine: AsyncEngine) -> None:
    sessions = session_factory(engine)

    def work() -> SqlCanvasUnitOfWork:
        return SqlCanvasUnitOfWork(sessions, Outbox("ms_canvas"))

    now = datetime.now(UTC)
    async with work() as uow:
        await uow.canvases.add(Canvas(NAME, "Board", "", 0, "e1", now, now, "users/alice"))
        await uow.commit()
    original, updates = edits(12)

    appender = SqlUpdateAppender(engine)
    revisions = await appender.append([StoredUpdate(NAME, u, "users/alice") for u in updates[:8]])
    assert revisions == {NAME: 8}
    async with work() as uow:
        assert await uow.updates.compact(NAME) == 8
        await uow.commit()
    assert await appender.append(
        [StoredUpdate(NAME, u, "users/bob") for u in updates[8:]]
        + [StoredUpdate("spaces/s1/canvases/gone", updates[0], "users/bob")]
    ) == {NAME: 12}, "a batch bumps the revision of the canvases that exist"
    await appender.close()

    async with work() as uow:
        state = await uow.updates.load(NAME)
        canvas = await uow.canvases.get(NAME)
    assert len(state.updates) == 4 and state.snapshot is not None
    restored: pycrdt.Doc[Any] = pycrdt.Doc()
    for update in (state.snapshot, *state.updates):
        restored.apply_update(update)
    assert (
        restored.get("nodes", type=pycrdt.Map).to_py()
        == original.get("nodes", type=pycrdt.Map).to_py()
    )
    assert canvas is not None and canvas.revision == 12
