"""The database transaction use cases run in, with the repositories and the outbox on it."""

from __future__ import annotations

from knowledge_kit.database import UnitOfWork
from knowledge_kit.events import Outbox
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.events import KnowledgeEvent
from .documents import SqlDocumentRepository, SqlVersionRepository
from .event_messages import event_message
from .spaces import SqlMemberRepository, SqlSpaceRepository


class SqlKnowledgeUnitOfWork(UnitOfWork):
    """Spaces, members, documents and versions in one transaction; events go to the outbox in
    the same transaction, so they are published if and only if the change commits."""

    spaces: SqlSpaceRepository
    members: SqlMemberRepository
    documents: SqlDocumentRepository
    versions: SqlVersionRepository

    def __init__(self, sessions: async_sessionmaker[AsyncSession], outbox: Outbox) -> None:
        super().__init__(sessions)
        self._outbox = outbox

    def on_begin(self, session: AsyncSession) -> None:
        self.spaces = SqlSpaceRepository(session)
        self.members = SqlMemberRepository(session)
        self.documents = SqlDocumentRepository(session)
        self.versions = SqlVersionRepository(session)

    async def record(self, event: KnowledgeEvent) -> None:
        message = event_message(event)
        await self._outbox.record(
            self.session, message.topic, message.payload, subject=message.subject
        )
