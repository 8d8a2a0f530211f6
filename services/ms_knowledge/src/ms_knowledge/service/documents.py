"""Use cases on documents: create, read, list, edit with optimistic concurrency, delete."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from knowledge_kit.api import Page, check_etag, checked_resource_id
from knowledge_kit.errors import (
    AlreadyExistsError,
    ConflictError,
    FieldViolation,
    NotFoundError,
    ValidationError,
)

from ..domain.changes import DocumentChange, DocumentChangeType
from ..domain.documents import (
    Document,
    checked_content,
    checked_content_type,
    checked_title,
)
from ..domain.events import DocumentCreated, DocumentDeleted, DocumentUpdated
from ..domain.names import DocumentName, checked_space_name
from ..domain.roles import SpaceAction
from ..domain.unit_of_work import KnowledgeUnitOfWork
from .access import require_role
from .document_filter import title_filter
from .use_cases import ListingUseCases

UPDATABLE_DOCUMENT_FIELDS = ("title", "content", "content_type")


@dataclass(frozen=True, slots=True)
class DocumentDraft:
    """What a caller sends to create a document."""

    title: str
    content: str
    content_type: str = ""


@dataclass(frozen=True, slots=True)
class DocumentChanges:
    """New values for the fields in `paths` (other values are ignored)."""

    paths: AbstractSet[str]
    title: str = ""
    content: str = ""
    content_type: str = ""


@dataclass(frozen=True, slots=True)
class SeenRevision:
    """The revision a writer based its change on: its etag or, without one, its number."""

    etag: str = ""
    revision: int = 0

    def require_given(self) -> None:
        """A write must say which revision it is based on (AIP-154: the etag is required)."""
        if not self.etag and self.revision <= 0:
            raise ValidationError(
                "the current etag (or revision) of the document is required",
                [FieldViolation("document.etag", "must be the etag the document was read with")],
            )

    def require_current(self, document: Document) -> None:
        """ABORTED unless this is the document's current revision, by etag or else by number."""
        if self.etag:
            check_etag(
                self.etag,
                document.etag,
                resource=document.name,
                field="document.etag",
                required=True,
            )
        elif self.revision != document.revision:
            raise ConflictError(
                f"{document.name} has a newer revision than the one this change is based on; "
                "read it again and reapply the change"
            )


async def existing_document(work: KnowledgeUnitOfWork, name: str) -> Document:
    """The document named `name`, or NOT_FOUND."""
    document = await work.documents.get(name)
    if document is None:
        raise NotFoundError(f"{name} does not exist")
    return document


async def store_revision(
    work: KnowledgeUnitOfWork, current: Document, revised: Document, *, restored_from: int = 0
) -> None:
    """Make `revised` the current revision of `current`, if nobody else did first (ABORTED)."""
    if not await work.documents.replace(revised, expected_etag=current.etag):
        raise ConflictError(f"{current.name} changed while it was being updated")
    await work.versions.add(revised.as_version(restored_from_revision=restored_from))
    await work.record(
        DocumentUpdated(
            revised, previous_revision=current.revision, restored_from_revision=restored_from
        )
    )


class DocumentUseCases(ListingUseCases):
    """What callers can do with documents; each call is one unit of work."""

    async def create_document(
        self, caller: str, parent: str, draft: DocumentDraft, *, document_id: str = ""
    ) -> Document:
        """A new document at revision 1; editors and owners."""
        checked_space_name(parent, "parent")
        name = DocumentName.within(parent, checked_resource_id(document_id, "document_id"))
        document = Document.create(
            name=name.name,
            space=parent,
            title=checked_title(draft.title, "document.title"),
            content=checked_content(draft.content, "document.content"),
            content_type=checked_content_type(draft.content_type, "document.content_type"),
            author=caller,
            at=self._clock(),
        )
        async with self._unit_of_work() as work:
            await require_role(work, parent, caller, SpaceAction.WRITE_DOCUMENTS)
            if await work.documents.get(document.name) is not None:
                raise AlreadyExistsError(f"{document.name} already exists")
            await work.documents.add(document)
            await work.versions.add(document.as_version())
            await work.record(DocumentCreated(document))
            await work.commit()
        self._feed.publish(DocumentChange(DocumentChangeType.CREATED, document))
        return document

    async def get_document(self, caller: str, name: str) -> Document:
        """The document at its current revision; any member of its space."""
        parsed = DocumentName.parse(name, "name")
        async with self._unit_of_work() as work:
            await require_role(work, parsed.space, caller, SpaceAction.READ_DOCUMENTS)
            return await existing_document(work, name)

    async def list_documents(
        self, caller: str, parent: str, page_size: int, page_token: str, filter_expression: str
    ) -> Page[Document]:
        """Documents of a space without content, most recently updated first."""
        checked_space_name(parent, "parent")
        title_contains = title_filter(filter_expression)
        request = self._pages.request(page_size, page_token, listing=(parent, title_contains))
        async with self._unit_of_work() as work:
            await require_role(work, parent, caller, SpaceAction.READ_DOCUMENTS)
            fetched = await work.documents.list_in_space(
                parent,
                title_contains=title_contains,
                offset=request.offset,
                limit=request.fetch_limit,
            )
        return request.page_at_offset(fetched)

    async def update_document(
        self, caller: str, name: str, changes: DocumentChanges, seen: SeenRevision
    ) -> Document:
        """A new revision with the masked fields changed; ABORTED when `seen` is stale."""
        parsed = DocumentName.parse(name, "document.name")
        paths = changes.paths
        seen.require_given()
        title = checked_title(changes.title, "document.title") if "title" in paths else None
        content = (
            checked_content(changes.content, "document.content") if "content" in paths else None
        )
        content_type = (
            checked_content_type(changes.content_type, "document.content_type")
            if "content_type" in paths
            else None
        )
        async with self._unit_of_work() as work:
            await require_role(work, parsed.space, caller, SpaceAction.WRITE_DOCUMENTS)
            current = await existing_document(work, name)
            seen.require_current(current)
            revised = current.revised(
                title=current.title if title is None else title,
                content=current.content if content is None else content,
                content_type=current.content_type if content_type is None else content_type,
                author=caller,
                at=self._clock(),
            )
            if (revised.title, revised.content, revised.content_type) == (
                current.title,
                current.content,
                current.content_type,
            ):
                return current
            await store_revision(work, current, revised)
            await work.commit()
        self._feed.publish(DocumentChange(DocumentChangeType.UPDATED, revised))
        return revised

    async def delete_document(self, caller: str, name: str, *, etag: str) -> None:
        """Delete the document and its history; ABORTED when `etag` is given and stale."""
        parsed = DocumentName.parse(name, "name")
        async with self._unit_of_work() as work:
            await require_role(work, parsed.space, caller, SpaceAction.WRITE_DOCUMENTS)
            document = await existing_document(work, name)
            check_etag(etag, document.etag, resource=name, field="etag", required=False)
            await work.documents.remove(name)
            await work.record(DocumentDeleted(document, deleted_by=caller))
            await work.commit()
        self._feed.publish(DocumentChange(DocumentChangeType.DELETED, document))
