"""Record events in the same transaction as the state change they describe."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from google.protobuf.message import Message
from knowledge.common.v1 import event_envelope_pb2
from knowledge.topics import Topic
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge_kit.events.commits import mark_recorded
from knowledge_kit.events.envelope import new_envelopes
from knowledge_kit.events.tables import outbox_events
from knowledge_kit.names import check_service_name
from knowledge_kit.settings import ServiceSettings

# Recording on PostgreSQL: one statement whatever the number of events, their ids, subjects and
# envelopes three array parameters, inserted in their order (the positions the relay follows).
# Rows of parameters cost SQLAlchemy a pass over each row's values and PostgreSQL an execution
# per row: half the cost of recording 50 events.
_RECORD_ARRAYS = text(
    f"INSERT INTO {outbox_events.name} (event_id, topic, subject, envelope) "
    "SELECT recorded.event_id, :topic, recorded.subject, recorded.envelope "
    "FROM unnest(CAST(:event_ids AS varchar[]), CAST(:subjects AS varchar[]), "
    "CAST(:envelopes AS bytea[])) WITH ORDINALITY "
    "AS recorded(event_id, subject, envelope, place) ORDER BY recorded.place"
)  # Typed in SQL, not as SQLAlchemy ARRAYs: those pass every element through a bind processor.


class Outbox:
    """`Outbox("ms_knowledge").record(uow.session, KNOWLEDGE_DOCUMENTS_V1, DocumentCreated(...),
    subject="spaces/s/documents/d")`: the event is published after, and only if, the commit.

    With `topics`, recording to any other topic is refused: in the cluster the service may
    write only those, and an event the relay could never publish would hold up every later one.
    """

    def __init__(self, source: str, *, topics: Collection[str] | None = None) -> None:
        self.source = check_service_name(source)
        self.topics = None if topics is None else frozenset(topics)

    @classmethod
    def for_service(cls, settings: ServiceSettings) -> Outbox:
        """The service's outbox, writing only to its `produced_topics`."""
        return cls(settings.service_name, topics=settings.produced_topics)

    async def record(
        self, session: AsyncSession, topic: Topic, event: Message, *, subject: str
    ) -> event_envelope_pb2.EventEnvelope:
        """Add the event to the session's transaction; returns its envelope."""
        [envelope] = await self.record_many(session, topic, [(event, subject)])
        return envelope

    async def record_many(
        self,
        session: AsyncSession,
        topic: Topic,
        events_with_subjects: Iterable[tuple[Message, str]],
    ) -> list[event_envelope_pb2.EventEnvelope]:
        """Add each (event, subject) to the session's transaction, in one statement, in order
        (the relay publishes them in this order); returns their envelopes. One event the topic
        does not carry refuses them all."""
        events = list(events_with_subjects)
        for event, _ in events:
            self._check(topic, event)
        envelopes = new_envelopes(events, source=self.source)
        if not envelopes:
            return []
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(
                _RECORD_ARRAYS,
                {
                    "topic": topic.name,
                    "event_ids": [envelope.id for envelope in envelopes],
                    "subjects": [envelope.subject for envelope in envelopes],
                    "envelopes": [envelope.SerializeToString() for envelope in envelopes],
                },
            )
        else:
            await session.execute(
                outbox_events.insert(),
                [
                    {
                        "event_id": envelope.id,
                        "topic": topic.name,
                        "subject": envelope.subject,
                        "envelope": envelope.SerializeToString(),
                    }
                    for envelope in envelopes
                ],
            )
        mark_recorded(session)
        return envelopes

    def _check(self, topic: Topic, event: Message) -> None:
        event_type = event.DESCRIPTOR.full_name
        if event_type not in topic.event_types:
            raise ValueError(
                f"{event_type} is not an event of topic {topic.name} "
                f"(it carries {', '.join(topic.event_types)})"
            )
        if self.topics is not None and topic.name not in self.topics:
            raise ValueError(
                f"{self.source} does not produce to {topic.name}: add it to the service's "
                f"produced_topics (its topics in repos.yaml), or record to one of "
                f"{', '.join(sorted(self.topics)) or 'no topic'}"
            )
