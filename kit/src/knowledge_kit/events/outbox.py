"""Record events in the same transaction as the state change they describe."""

from __future__ import annotations

from google.protobuf.message import Message
from knowledge.common.v1 import event_envelope_pb2
from knowledge.topics import Topic
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge_kit.events.commits import mark_recorded
from knowledge_kit.events.envelope import new_envelope
from knowledge_kit.events.tables import outbox_events
from knowledge_kit.names import check_service_name


class Outbox:
    """`Outbox("ms_knowledge").record(uow.session, KNOWLEDGE_DOCUMENTS_V1, DocumentCreated(...),
    subject="spaces/s/documents/d")`: the event is published after, and only if, the commit."""

    def __init__(self, source: str) -> None:
        self.source = check_service_name(source)

    async def record(
        self, session: AsyncSession, topic: Topic, event: Message, *, subject: str
    ) -> event_envelope_pb2.EventEnvelope:
        """Add the event to the session's transaction; returns its envelope."""
        event_type = event.DESCRIPTOR.full_name
        if event_type not in topic.event_types:
            raise ValueError(
                f"{event_type} is not an event of topic {topic.name} "
                f"(it carries {', '.join(topic.event_types)})"
            )
        envelope = new_envelope(event, source=self.source, subject=subject)
        await session.execute(
            outbox_events.insert().values(
                event_id=envelope.id,
                topic=topic.name,
                subject=subject,
                envelope=envelope.SerializeToString(),
            )
        )
        mark_recorded(session)
        return envelope
