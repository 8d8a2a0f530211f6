"""The transaction use cases run in: canvases, their update log and the outbox."""

from __future__ import annotations

from knowledge_kit.database import UnitOfWork
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.events import CanvasEvent
from .canvases import SqlCanvasRepository
from .event_messages import event_message
from .update_log import SqlCanvasUpdateLog


class SqlCanvasUnitOfWork(UnitOfWork):
    """Events recorded here are published if and only if the transaction commits."""

    canvases: SqlCanvasRepository
    updates: SqlCanvasUpdateLog

    def __init__(self, sessions: async_sessionmaker[AsyncSession], outbox: Outbox) -> None:
        super().__init__(sessions)
        self._outbox = outbox

    def on_begin(self, session: AsyncSession) -> None:
        self.canvases = SqlCanvasRepository(session)
        self.updates = SqlCanvasUpdateLog(session)

    async def record(self, event: CanvasEvent) -> None:
        message = event_message(event)
        await self._outbox.record(
            self.session, message.topic, message.payload, subject=message.subject
        )
