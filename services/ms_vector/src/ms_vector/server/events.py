"""knowledge.documents.v1 and knowledge.spaces.v1 applied to the index, each event in the
consumer's transaction with its inbox row (so a redelivered event changes nothing twice)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from google.protobuf.message import Message
from knowledge.knowledge.v1.events_pb2 import DocumentCreated, DocumentDeleted, DocumentUpdated
from knowledge.ml.v1.events_pb2 import ModelAliasMoved
from knowledge_kit.database import after_commit
from knowledge_kit.errors import ValidationError
from knowledge_kit.events import Outbox
from knowledge_kit.events.consumer import ConsumedEvent, EventHandler
from knowledge_kit.spaces import space_membership_handlers

from ..domain.chunks import DocumentRevision
from ..domain.names import DOCUMENT, space_of
from ..repository.work import VectorWork
from ..service.indexing import Indexing
from ..service.live_index import LiveIndex
from ..service.rollout import Rollout


@dataclass(frozen=True, slots=True)
class FollowedAlias:
    """The alias of ms_ml's embedder model whose holder the index is embedded by, and what
    rolls a new holder out."""

    model: str
    alias: str
    rollout: Rollout


def event_handlers(
    indexing: Indexing, live: LiveIndex, outbox: Outbox, followed: FollowedAlias | None = None
) -> Mapping[type[Message], EventHandler]:
    """A malformed record raises ValidationError: the consumer dead-letters it and goes on.
    ModelAliasMoved of the followed alias (ml.models.v1) has ms_ml asked for the holder now
    (the event may be late or replayed) and a new one rolled out; other models' are ignored."""

    async def document_changed(event: ConsumedEvent) -> None:
        payload: DocumentCreated | DocumentUpdated = event.payload
        document = _document(event, payload.document, payload.space)
        if payload.revision < 1:
            raise ValidationError(f"{type(payload).__name__} for {document} has no revision")
        revision = DocumentRevision(
            document=document,
            space=space_of(document),
            revision=payload.revision,
            title=payload.title,
            content=payload.content,
            content_type=payload.content_type,
            updated_at=_time(event),
        )
        outcome = await indexing.index(VectorWork(event.session, outbox), revision)
        if outcome.changed:
            after_commit(event.session, lambda: live.refresh_soon([document]))

    async def document_deleted(event: ConsumedEvent) -> None:
        payload: DocumentDeleted = event.payload
        document = _document(event, payload.document, payload.space)
        work = VectorWork(event.session, outbox)
        await indexing.remove(work, document, space_of(document), payload.revision)
        after_commit(event.session, lambda: live.refresh_soon([document]))

    async def space_deleted(event: ConsumedEvent, space: str) -> None:
        documents = await indexing.remove_space(VectorWork(event.session, outbox), space)
        after_commit(event.session, lambda: live.refresh_soon(documents))

    async def alias_moved(event: ConsumedEvent) -> None:
        payload: ModelAliasMoved = event.payload
        if followed is not None and (payload.model, payload.alias) == (
            followed.model,
            followed.alias,
        ):
            after_commit(event.session, followed.rollout.check_soon)

    return {
        **space_membership_handlers(on_space_deleted=space_deleted),
        ModelAliasMoved: alias_moved,
        DocumentCreated: document_changed,
        DocumentUpdated: document_changed,
        DocumentDeleted: document_deleted,
    }


def _document(event: ConsumedEvent, document: str, space: str) -> str:
    kind = type(event.payload).__name__
    if not DOCUMENT.matches(document):
        raise ValidationError(f"{kind} names no document (got {document[:80]!r})")
    if space and space != space_of(document):
        raise ValidationError(f"{kind} for {document} names another space, {space[:80]!r}")
    return document


def _time(event: ConsumedEvent) -> datetime:
    """When the revision was written: the event's time (now, for an envelope without one)."""
    if event.envelope.HasField("time"):
        return event.envelope.time.ToDatetime(tzinfo=UTC)
    return datetime.now(UTC)
