"""Domain events as the registry's event messages: which topic, which payload, which subject."""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.message import Message
from knowledge.common.v1 import actor_pb2
from knowledge.knowledge.v1 import events_pb2, space_pb2
from knowledge.topics import KNOWLEDGE_DOCUMENTS_V1, KNOWLEDGE_SPACES_V1, Topic

from ..domain.documents import Document
from ..domain.events import (
    DocumentCreated,
    DocumentDeleted,
    DocumentUpdated,
    KnowledgeEvent,
    SpaceCreated,
    SpaceDeleted,
    SpaceMemberAdded,
    SpaceMemberRemoved,
    SpaceUpdated,
)
from ..domain.roles import SpaceRole

ROLE_MESSAGES = {
    SpaceRole.VIEWER: space_pb2.SPACE_ROLE_VIEWER,
    SpaceRole.EDITOR: space_pb2.SPACE_ROLE_EDITOR,
    SpaceRole.OWNER: space_pb2.SPACE_ROLE_OWNER,
}


@dataclass(frozen=True, slots=True)
class EventMessage:
    """An event ready for the outbox: its topic, payload and subject (the Kafka key)."""

    topic: Topic
    payload: Message
    subject: str


def _actor(name: str) -> actor_pb2.Actor:
    return actor_pb2.Actor(name=name)


def _document_event(message: Message, document: Document) -> EventMessage:
    return EventMessage(KNOWLEDGE_DOCUMENTS_V1, message, document.name)


def event_message(event: KnowledgeEvent) -> EventMessage:
    """The registry message for `event`, on the topic that carries it."""
    match event:
        case SpaceCreated(space, creator):
            created = events_pb2.SpaceCreated(
                space=space.name,
                display_name=space.display_name,
                description=space.description,
                creator=_actor(creator),
            )
            return EventMessage(KNOWLEDGE_SPACES_V1, created, space.name)
        case SpaceUpdated(space, changed_fields, updated_by):
            updated = events_pb2.SpaceUpdated(
                space=space.name,
                display_name=space.display_name,
                description=space.description,
                changed_fields=changed_fields,
                updated_by=_actor(updated_by),
            )
            return EventMessage(KNOWLEDGE_SPACES_V1, updated, space.name)
        case SpaceDeleted(space_name, deleted_by):
            deleted = events_pb2.SpaceDeleted(space=space_name, deleted_by=_actor(deleted_by))
            return EventMessage(KNOWLEDGE_SPACES_V1, deleted, space_name)
        case SpaceMemberAdded(space, user, role, added_by):
            added = events_pb2.SpaceMemberAdded(
                space=space.name,
                user=user,
                role=ROLE_MESSAGES[role],
                added_by=_actor(added_by),
                space_display_name=space.display_name,
            )
            return EventMessage(KNOWLEDGE_SPACES_V1, added, space.name)
        case SpaceMemberRemoved(space_name, user, removed_by):
            removed = events_pb2.SpaceMemberRemoved(
                space=space_name, user=user, removed_by=_actor(removed_by)
            )
            return EventMessage(KNOWLEDGE_SPACES_V1, removed, space_name)
        case DocumentCreated(document):
            return _document_event(
                events_pb2.DocumentCreated(
                    document=document.name,
                    space=document.space,
                    title=document.title,
                    content=document.content,
                    content_type=document.content_type,
                    revision=document.revision,
                    author=_actor(document.last_editor),
                ),
                document,
            )
        case DocumentUpdated(document, previous_revision, restored_from_revision):
            return _document_event(
                events_pb2.DocumentUpdated(
                    document=document.name,
                    space=document.space,
                    title=document.title,
                    content=document.content,
                    content_type=document.content_type,
                    revision=document.revision,
                    previous_revision=previous_revision,
                    author=_actor(document.last_editor),
                    restored_from_revision=restored_from_revision,
                ),
                document,
            )
        case DocumentDeleted(document, deleted_by):
            return _document_event(
                events_pb2.DocumentDeleted(
                    document=document.name,
                    space=document.space,
                    revision=document.revision,
                    deleted_by=_actor(deleted_by),
                ),
                document,
            )
