"""What several test modules share: memberships and events applied as the consumer would."""

from __future__ import annotations

from google.protobuf.message import Message
from knowledge.auth.v1.events_pb2 import UserRegistered
from knowledge.common.v1.event_envelope_pb2 import EventEnvelope
from knowledge_kit.database import UnitOfWork
from knowledge_kit.events import Outbox
from knowledge_kit.events.consumer import ConsumedEvent
from knowledge_kit.events.envelope import new_envelope
from knowledge_kit.events.inbox import claim_event
from knowledge_kit.spaces import MemberRole, SpaceMemberships
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_notifications.main import NotificationParts
from ms_notifications.server.events import event_handlers

GROUP = "ms_notifications"


class Spaces:
    """The membership projection, changed directly (the kit's handlers are tested in the kit)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def add(self, space: str, *users: str, role: MemberRole = MemberRole.EDITOR) -> None:
        async with UnitOfWork(self._sessions) as uow:
            for user in users:
                await SpaceMemberships(uow.session).set_role(space, user, role)
            await uow.commit()


class Events:
    """Applies consumed events through the service's handlers, each in one transaction with
    the kit's inbox row, exactly as EventConsumer does (without Kafka)."""

    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], parts: NotificationParts
    ) -> None:
        self._sessions = sessions
        self._handlers = event_handlers(parts.notifier, Outbox("ms_notifications"))

    def envelope(self, event: Message, subject: str = "subject") -> EventEnvelope:
        return new_envelope(event, source="tests", subject=subject)

    async def apply(self, event: Message | EventEnvelope) -> EventEnvelope:
        """Apply `event` (a payload, or an envelope to deliver again); its envelope."""
        envelope = event if isinstance(event, EventEnvelope) else self.envelope(event)
        handler = next(
            handler
            for kind, handler in self._handlers.items()
            if envelope.payload.TypeName() == kind.DESCRIPTOR.full_name
        )
        payload = next(
            kind()
            for kind in self._handlers
            if envelope.payload.TypeName() == kind.DESCRIPTOR.full_name
        )
        envelope.payload.Unpack(payload)
        async with self._sessions() as session, session.begin():
            if await claim_event(session, GROUP, envelope.id, "tests"):
                await handler(ConsumedEvent(payload, envelope, session))
        return envelope

    async def register(self, user: str, email: str = "", display_name: str = "") -> None:
        await self.apply(UserRegistered(user=user, email=email, display_name=display_name))
