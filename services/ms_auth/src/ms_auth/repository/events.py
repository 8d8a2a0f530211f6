"""Domain events become knowledge.auth.v1 messages in the kit's transactional outbox."""

from __future__ import annotations

from google.protobuf.message import Message
from knowledge.auth.v1 import events_pb2
from knowledge.common.v1 import actor_pb2
from knowledge.topics import AUTH_SESSIONS_V1, AUTH_USERS_V1, Topic
from knowledge_kit.events.outbox import Outbox
from sqlalchemy.ext.asyncio import AsyncSession

from ..contract_enums import REVOCATION_REASONS, platform_role_message
from ..domain.events import AuthEvent, SessionRevoked, UserRegistered, UserRoleChanged


class OutboxEventRecorder:
    """Records each event in the outbox of the unit of work's transaction, keyed by its user."""

    def __init__(self, session: AsyncSession, outbox: Outbox) -> None:
        self._session = session
        self._outbox = outbox

    async def record(self, event: AuthEvent) -> None:
        topic, message = event_message(event)
        await self._outbox.record(self._session, topic, message, subject=f"users/{event.user_id}")


def event_message(event: AuthEvent) -> tuple[Topic, Message]:
    """The topic and contract message of a domain event."""
    match event:
        case UserRegistered():
            return AUTH_USERS_V1, events_pb2.UserRegistered(
                user=f"users/{event.user_id}",
                email=event.email,
                display_name=event.display_name,
                role=platform_role_message(event.role),
            )
        case UserRoleChanged():
            return AUTH_USERS_V1, events_pb2.UserRoleChanged(
                user=f"users/{event.user_id}",
                previous_role=platform_role_message(event.previous_role),
                role=platform_role_message(event.role),
                changed_by=actor_pb2.Actor(
                    name=event.changed_by, display_name=event.changed_by_display_name
                ),
            )
        case SessionRevoked():
            return AUTH_SESSIONS_V1, events_pb2.SessionRevoked(
                session=f"users/{event.user_id}/sessions/{event.session_id}",
                user=f"users/{event.user_id}",
                reason=REVOCATION_REASONS[event.reason],
            )
