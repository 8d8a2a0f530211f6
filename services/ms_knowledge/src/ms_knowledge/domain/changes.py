"""Live changes of documents, as watchers of a document or a space see them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from .documents import Document


class DocumentChangeType(Enum):
    """What happened to a document, from a watcher's point of view."""

    SNAPSHOT = "snapshot"
    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class DocumentChange:
    """The document after the change (for DELETED: its last state)."""

    change_type: DocumentChangeType
    document: Document
