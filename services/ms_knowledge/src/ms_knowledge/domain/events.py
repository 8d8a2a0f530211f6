"""What happened to spaces and documents, as other services learn it through the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from .documents import Document
from .roles import SpaceRole
from .spaces import Space


@dataclass(frozen=True, slots=True)
class SpaceCreated:
    space: Space
    creator: str


@dataclass(frozen=True, slots=True)
class SpaceUpdated:
    space: Space
    changed_fields: tuple[str, ...]
    updated_by: str


@dataclass(frozen=True, slots=True)
class SpaceDeleted:
    space: str
    deleted_by: str


@dataclass(frozen=True, slots=True)
class SpaceMemberAdded:
    """A user joined a space, or got a new role in it."""

    space: Space
    user: str
    role: SpaceRole
    added_by: str


@dataclass(frozen=True, slots=True)
class SpaceMemberRemoved:
    space: str
    user: str
    removed_by: str


@dataclass(frozen=True, slots=True)
class DocumentCreated:
    """Carries the whole document so that indexers need not call back."""

    document: Document


@dataclass(frozen=True, slots=True)
class DocumentUpdated:
    """A new revision: an edit, or a restore of `restored_from_revision`."""

    document: Document
    previous_revision: int
    restored_from_revision: int = 0


@dataclass(frozen=True, slots=True)
class DocumentDeleted:
    document: Document
    deleted_by: str


KnowledgeEvent = (
    SpaceCreated
    | SpaceUpdated
    | SpaceDeleted
    | SpaceMemberAdded
    | SpaceMemberRemoved
    | DocumentCreated
    | DocumentUpdated
    | DocumentDeleted
)
