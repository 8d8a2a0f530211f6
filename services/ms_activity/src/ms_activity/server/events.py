"""The consumed topics applied: every event type becomes its activities (staged for the store
with the consumer's transaction and its inbox row, so a redelivered event is recorded once), and
knowledge.spaces.v1 also keeps the membership projection that says who sees a space.

A malformed record raises ValidationError: the consumer dead-letters it and goes on.
"""

from __future__ import annotations

from collections.abc import Mapping

from google.protobuf.message import Message
from knowledge_kit.events.consumer import ConsumedEvent, EventHandler
from knowledge_kit.spaces import space_membership_handlers

from ..service.ingestion import Ingestion
from .event_drafts import MAPPERS, Mapper


def event_handlers(ingestion: Ingestion) -> Mapping[type[Message], EventHandler]:
    """A handler for every event type of the consumed topics."""
    memberships = space_membership_handlers()

    def recording(kind: type[Message], mapper: Mapper) -> EventHandler:
        event_type = kind.DESCRIPTOR.full_name
        projection = memberships.get(kind)

        async def handle(event: ConsumedEvent) -> None:
            if projection is not None:
                await projection(event)
            drafts = mapper(event.payload)
            ingestion.stage(event.session, ingestion.activities(event.envelope, event_type, drafts))

        return handle

    return {kind: recording(kind, mapper) for kind, mapper in MAPPERS.items()}
