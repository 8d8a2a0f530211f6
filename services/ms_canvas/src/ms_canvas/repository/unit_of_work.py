"""The transaction use cases run in: canvases, their update log and the outbox."""

from __future__ import annotations

from google.protobuf.message import Message
from knowledge.topics import Topic
from knowledge_kit.database import UnitOfWork
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .canvases import SqlCanvasRepository
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

    async def record(self, topic: Topic, event: Message, *, subject: str) -> None:
        await self._outbox.record(self.session, topic, event, subject=subject)
