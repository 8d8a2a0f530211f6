"""Domain values as the contract's protobuf messages, and the contract's enums as domain values."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.knowledge.v1 import document_pb2, document_service_pb2, space_pb2

from ..domain.changes import DocumentChangeType
from ..domain.documents import Document, DocumentVersion
from ..domain.roles import SpaceRole
from ..domain.spaces import Space, SpaceMember

ROLES: dict[SpaceRole, space_pb2.SpaceRole.ValueType] = {
    SpaceRole.VIEWER: space_pb2.SPACE_ROLE_VIEWER,
    SpaceRole.EDITOR: space_pb2.SPACE_ROLE_EDITOR,
    SpaceRole.OWNER: space_pb2.SPACE_ROLE_OWNER,
}
_ROLES_BY_MESSAGE = {message: role for role, message in ROLES.items()}

CHANGE_TYPES: dict[DocumentChangeType, document_service_pb2.DocumentChangeType.ValueType] = {
    DocumentChangeType.SNAPSHOT: document_service_pb2.DOCUMENT_CHANGE_TYPE_SNAPSHOT,
    DocumentChangeType.CREATED: document_service_pb2.DOCUMENT_CHANGE_TYPE_CREATED,
    DocumentChangeType.UPDATED: document_service_pb2.DOCUMENT_CHANGE_TYPE_UPDATED,
    DocumentChangeType.DELETED: document_service_pb2.DOCUMENT_CHANGE_TYPE_DELETED,
}


def role_of(message: space_pb2.SpaceRole.ValueType) -> SpaceRole | None:
    """The domain role a request names; None for SPACE_ROLE_UNSPECIFIED or unknown values."""
    return _ROLES_BY_MESSAGE.get(message)


def timestamp(value: datetime) -> Timestamp:
    """`value` as a protobuf Timestamp."""
    message = Timestamp()
    message.FromDatetime(value)
    return message


def space_message(space: Space) -> space_pb2.Space:
    return space_pb2.Space(
        name=space.name,
        display_name=space.display_name,
        description=space.description,
        create_time=timestamp(space.create_time),
        update_time=timestamp(space.update_time),
        etag=space.etag,
    )


def member_message(member: SpaceMember) -> space_pb2.SpaceMember:
    return space_pb2.SpaceMember(
        name=member.name,
        user=member.user,
        role=ROLES[member.role],
        create_time=timestamp(member.create_time),
        invited_by=member.invited_by,
    )


def document_message(document: Document) -> document_pb2.Document:
    return document_pb2.Document(
        name=document.name,
        title=document.title,
        content=document.content,
        content_type=document.content_type,
        revision=document.revision,
        etag=document.etag,
        create_time=timestamp(document.create_time),
        update_time=timestamp(document.update_time),
        creator=document.creator,
        last_editor=document.last_editor,
    )


def version_message(version: DocumentVersion) -> document_pb2.DocumentVersion:
    return document_pb2.DocumentVersion(
        name=version.name,
        revision=version.revision,
        title=version.title,
        content=version.content,
        content_type=version.content_type,
        author=version.author,
        create_time=timestamp(version.create_time),
        restored_from_revision=version.restored_from_revision,
    )
