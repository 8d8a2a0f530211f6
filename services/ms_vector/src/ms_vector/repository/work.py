"""What a use case works on inside one transaction: the index's record, reindex operations,
memberships and the events they cause, all on one session, so they commit together.

RPCs open the transaction themselves (`knowledge_kit.database.UnitOfWork`); event handlers get
the consumer's, which also holds the inbox row of the event being applied.
"""

from __future__ import annotations

from google.protobuf.message import Message
from knowledge.topics import VECTOR_INDEX_V1
from knowledge_kit.events import Outbox
from knowledge_kit.spaces import SpaceMemberships
from sqlalchemy.ext.asyncio import AsyncSession

from .index_records import SqlIndexRecords
from .operations import SqlReindexOperations


class VectorWork:
    """The repositories on `session`, and the outbox in the same transaction."""

    def __init__(self, session: AsyncSession, outbox: Outbox) -> None:
        self.session = session
        self.records = SqlIndexRecords(session)
        self.operations = SqlReindexOperations(session)
        self.memberships = SpaceMemberships(session)
        self._outbox = outbox

    async def record(self, event: Message, *, subject: str) -> None:
        """Publish `event` on vector.index.v1, keyed by `subject`, if the transaction commits."""
        await self._outbox.record(self.session, VECTOR_INDEX_V1, event, subject=subject)
