"""Documents and their versions: the entities, their rules, and where they are kept."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from knowledge_kit.api import new_etag
from knowledge_kit.errors import FieldViolation, ValidationError

from .names import VersionName
from .text import checked_label, checked_length

TITLE_MAX_LENGTH = 300
CONTENT_MAX_LENGTH = 1_000_000
CONTENT_TYPES = ("text/markdown", "text/plain")
DEFAULT_CONTENT_TYPE = CONTENT_TYPES[0]


def checked_title(value: str, field: str) -> str:
    """A document's title: present, one line, at most 300 characters (stripped)."""
    return checked_label(value, field, what="title", max_length=TITLE_MAX_LENGTH)


def checked_content(value: str, field: str) -> str:
    """A document's body: at most a million characters."""
    return checked_length(value, field, what="content", max_length=CONTENT_MAX_LENGTH)


def checked_content_type(value: str, field: str) -> str:
    """One of the content types documents may have; empty means markdown."""
    if not value:
        return DEFAULT_CONTENT_TYPE
    if value not in CONTENT_TYPES:
        raise ValidationError(
            f"content type {value!r} is not supported",
            [FieldViolation(field, f"must be one of {', '.join(CONTENT_TYPES)}")],
        )
    return value


@dataclass(frozen=True, slots=True)
class DocumentVersion:
    """One revision of a document, immutable once written."""

    document: str
    revision: int
    title: str
    content: str
    content_type: str
    author: str
    create_time: datetime
    restored_from_revision: int = 0

    @property
    def name(self) -> str:
        """spaces/{space}/documents/{document}/versions/{revision}."""
        return VersionName.format(self.document, self.revision)


@dataclass(frozen=True, slots=True)
class Document:
    """A page of knowledge in a space, at its current revision."""

    name: str
    space: str
    title: str
    content: str
    content_type: str
    revision: int
    etag: str
    create_time: datetime
    update_time: datetime
    creator: str
    last_editor: str

    @classmethod
    def create(
        cls,
        *,
        name: str,
        space: str,
        title: str,
        content: str,
        content_type: str,
        author: str,
        at: datetime,
    ) -> Document:
        """A new document at revision 1."""
        return cls(
            name=name,
            space=space,
            title=title,
            content=content,
            content_type=content_type,
            revision=1,
            etag=new_etag(),
            create_time=at,
            update_time=at,
            creator=author,
            last_editor=author,
        )

    def revised(
        self, *, title: str, content: str, content_type: str, author: str, at: datetime
    ) -> Document:
        """The next revision of this document, with a new etag."""
        return replace(
            self,
            title=title,
            content=content,
            content_type=content_type,
            revision=self.revision + 1,
            etag=new_etag(),
            update_time=at,
            last_editor=author,
        )

    def as_version(self, restored_from_revision: int = 0) -> DocumentVersion:
        """This revision as an entry of the version history."""
        return DocumentVersion(
            document=self.name,
            revision=self.revision,
            title=self.title,
            content=self.content,
            content_type=self.content_type,
            author=self.last_editor,
            create_time=self.update_time,
            restored_from_revision=restored_from_revision,
        )

    def without_content(self) -> Document:
        """This document's metadata only, for lists and space-wide change feeds."""
        return replace(self, content="")


class DocumentRepository(Protocol):
    """Where documents (at their current revision) are kept."""

    async def add(self, document: Document) -> None:
        """Store a new document; AlreadyExistsError when its name is taken."""
        ...

    async def get(self, name: str) -> Document | None: ...

    async def list_in_space(
        self, space: str, *, title_contains: str, offset: int, limit: int
    ) -> list[Document]:
        """Documents of `space` without content, most recently updated first; only those whose
        title contains `title_contains` (case-insensitive) when it is not empty."""
        ...

    async def replace(self, document: Document, *, expected_etag: str) -> bool:
        """Store `document` if the stored one still has `expected_etag`; False when it changed."""
        ...

    async def remove(self, name: str) -> None:
        """Delete the document with its versions."""
        ...


class VersionRepository(Protocol):
    """The version history of documents."""

    async def add(self, version: DocumentVersion) -> None: ...

    async def get(self, document: str, revision: int) -> DocumentVersion | None: ...

    async def list_for_document(
        self, document: str, *, offset: int, limit: int
    ) -> list[DocumentVersion]:
        """Versions of `document`, newest first."""
        ...
