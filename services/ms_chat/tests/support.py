"""What several test modules share: a real ms_vector in process (its own database, its real
servicer behind the kit's pipeline), memberships set as knowledge.spaces.v1 would set them in
both services, documents indexed, and the stream's events told apart."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from google.protobuf.message import Message
from knowledge.chat.v1 import events_pb2
from knowledge.common.v1.event_envelope_pb2 import EventEnvelope
from knowledge_kit.database import UnitOfWork
from knowledge_kit.events import EVENTS_METADATA
from knowledge_kit.spaces import MemberRole, SpaceMemberships
from ms_vector.domain.chunks import DocumentRevision
from ms_vector.main import VectorParts
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_chat.domain.stream import StreamEvent

WHEN = datetime(2026, 3, 1, tzinfo=UTC)
ADA, BOB = "users/ada", "users/bob"
HANDBOOK, FINANCE = "spaces/handbook", "spaces/finance"
ONBOARDING = f"{HANDBOOK}/documents/onboarding"
BUDGET = f"{FINANCE}/documents/budget"

ONBOARDING_TEXT = (
    "New employees receive their laptop from the IT desk on the first day. "
    "The IT desk is on the second floor next to the kitchen. "
    "Badges are printed by reception and must be worn in the office at all times."
)
BUDGET_TEXT = (
    "The travel budget for the sales team is forty thousand euros per quarter. "
    "Travel requests above two thousand euros need approval from the finance director."
)


@dataclass
class Platform:
    """The memberships both services hold, and ms_vector's index."""

    chat_sessions: async_sessionmaker[AsyncSession]
    vector_sessions: async_sessionmaker[AsyncSession]
    vector: VectorParts

    async def add(self, space: str, user: str, role: MemberRole = MemberRole.VIEWER) -> None:
        for sessions in (self.chat_sessions, self.vector_sessions):
            async with UnitOfWork(sessions) as uow:
                await SpaceMemberships(uow.session).set_role(space, user, role)
                await uow.commit()

    async def remove(self, space: str, user: str) -> None:
        for sessions in (self.chat_sessions, self.vector_sessions):
            async with UnitOfWork(sessions) as uow:
                await SpaceMemberships(uow.session).remove(space, user)
                await uow.commit()

    async def write(self, document: str, content: str, *, owner: str, title: str = "") -> None:
        """`document` indexed in ms_vector as its space's owner `owner` would have it."""
        space = "/".join(document.split("/")[:2])
        await self.vector.documents.index(
            owner,
            DocumentRevision(
                document=document,
                space=space,
                revision=1,
                title=title or document.rsplit("/", 1)[-1].capitalize(),
                content=content,
                content_type="text/plain",
                updated_at=WHEN,
            ),
        )

    async def handbook_and_finance(self) -> None:
        """Ada reads the handbook; Bob owns both spaces; each has one document."""
        await self.add(HANDBOOK, BOB, MemberRole.OWNER)
        await self.add(FINANCE, BOB, MemberRole.OWNER)
        await self.add(HANDBOOK, ADA)
        await self.write(ONBOARDING, ONBOARDING_TEXT, owner=BOB)
        await self.write(BUDGET, BUDGET_TEXT, owner=BOB)


def kinds(events: list[StreamEvent]) -> list[str]:
    """question, sources, token, citation, answer: what each event is, in order."""
    return [type(event.item).__name__ for event in events]


async def published(sessions: async_sessionmaker[AsyncSession]) -> list[Message]:
    """Every event recorded in the outbox, in order, unpacked."""
    outbox = EVENTS_METADATA.tables["outbox_events"]
    async with sessions() as session:
        rows = await session.execute(select(outbox.c.envelope).order_by(outbox.c.position))
        envelopes = [EventEnvelope.FromString(row) for row in rows.scalars()]
    unpacked: list[Message] = []
    for envelope in envelopes:
        event = EVENT_TYPES[envelope.type]()
        envelope.payload.Unpack(event)
        unpacked.append(event)
    return unpacked


EVENT_TYPES: dict[str, type[Message]] = {
    f"knowledge.chat.v1.{kind.__name__}": kind
    for kind in (
        events_pb2.ConversationCreated,
        events_pb2.MessagePosted,
        events_pb2.AnswerCompleted,
        events_pb2.FeedbackGiven,
        events_pb2.ConversationDeleted,
    )
}
