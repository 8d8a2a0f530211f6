"""What a use case works on inside one transaction: conversations, messages, the answers' logs,
memberships and the events they cause, all on one session, so they commit together.

RPCs open the transaction themselves (`knowledge_kit.database.UnitOfWork`); event handlers get
the consumer's, which also holds the inbox row of the event being applied.
"""

from __future__ import annotations

from google.protobuf.message import Message
from knowledge.topics import CHAT_CONVERSATIONS_V1
from knowledge_kit.events import Outbox
from knowledge_kit.spaces import SpaceMemberships
from sqlalchemy.ext.asyncio import AsyncSession

from .answer_log import SqlAnswerLog
from .conversations import SqlConversations
from .messages import SqlMessages


class ChatWork:
    """The repositories on `session`, and the outbox in the same transaction."""

    def __init__(self, session: AsyncSession, outbox: Outbox | None = None) -> None:
        self.session = session
        self.conversations = SqlConversations(session)
        self.messages = SqlMessages(session)
        self.log = SqlAnswerLog(session)
        self.memberships = SpaceMemberships(session)
        self._outbox = outbox

    async def record(self, event: Message, *, conversation: str) -> None:
        """Publish `event` on chat.conversations.v1, keyed by its conversation, if the
        transaction commits."""
        if self._outbox is None:
            raise RuntimeError("this unit of work was opened to read only")
        await self._outbox.record(self.session, CHAT_CONVERSATIONS_V1, event, subject=conversation)
