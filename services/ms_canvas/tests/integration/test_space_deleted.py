"""A space deleted in ms_knowledge takes its canvases, their updates and snapshots with it."""

from __future__ import annotations

from datetime import UTC, datetime

from knowledge.common.v1.event_envelope_pb2 import EventEnvelope
from knowledge.knowledge.v1.events_pb2 import SpaceDeleted
from knowledge_kit.events import Outbox
from knowledge_kit.events.consumer import ConsumedEvent
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from ms_canvas.domain.canvases import Canvas
from ms_canvas.domain.ports import StoredUpdate
from ms_canvas.repository.canvases import SqlCanvasRepository
from ms_canvas.repository.unit_of_work import SqlCanvasUnitOfWork
from ms_canvas.repository.update_appender import SqlUpdateAppender
from ms_canvas.server.space_events import space_event_handlers


async def test_the_canvases_of_a_deleted_space_are_removed(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession]
) -> None:
    now = datetime.now(UTC)
    names = ["spaces/gone/canvases/a", "spaces/gone/canvases/b", "spaces/kept/canvases/c"]
    async with SqlCanvasUnitOfWork(sessions, Outbox("ms_canvas")) as work:
        for name in names:
            await work.canvases.add(Canvas(name, "Board", "", 0, "e", now, now, "users/alice"))
        await work.commit()
    appender = SqlUpdateAppender(engine)
    await appender.append([StoredUpdate(name, b"\x00\x00", "users/alice") for name in names])
    await appender.close()

    async with sessions() as session, session.begin():
        space_deleted = space_event_handlers(SqlCanvasRepository)[SpaceDeleted]
        await space_deleted(
            ConsumedEvent(SpaceDeleted(space="spaces/gone"), EventEnvelope(), session)
        )

    async with SqlCanvasUnitOfWork(sessions, Outbox("ms_canvas")) as work:
        remaining = [name for name in names if await work.canvases.get(name) is not None]
        gone_updates = await work.updates.load("spaces/gone/canvases/a")
    assert remaining == ["spaces/kept/canvases/c"]
    assert gone_updates.updates == ()
