"""Use cases on the version history of documents: list, read one, restore one."""

from __future__ import annotations

from knowledge_kit.api import Page, check_etag
from knowledge_kit.errors import NotFoundError

from ..domain.changes import DocumentChange, DocumentChangeType
from ..domain.documents import Document, DocumentVersion
from ..domain.names import DocumentName, VersionName
from ..domain.roles import SpaceAction
from ..domain.unit_of_work import KnowledgeUnitOfWork
from .access import require_role
from .documents import existing_document, store_revision
from .use_cases import ListingUseCases


class VersionUseCases(ListingUseCases):
    """What callers can do with past revisions; each call is one unit of work."""

    async def list_versions(
        self, caller: str, parent: str, page_size: int, page_token: str
    ) -> Page[DocumentVersion]:
        """Revisions of a document, newest first; any member of its space."""
        document = DocumentName.parse(parent, "parent")
        request = self._pages.request(page_size, page_token, listing=(parent,))
        async with self._unit_of_work() as work:
            await require_role(work, document.space, caller, SpaceAction.READ_DOCUMENTS)
            await existing_document(work, parent)
            fetched = await work.versions.list_for_document(
                parent, offset=request.offset, limit=request.fetch_limit
            )
        return request.page_at_offset(fetched)

    async def get_version(self, caller: str, name: str) -> DocumentVersion:
        """One revision of a document; any member of its space."""
        version_name = VersionName.parse(name, "name")
        async with self._unit_of_work() as work:
            await require_role(
                work, version_name.document.space, caller, SpaceAction.READ_DOCUMENTS
            )
            return await _existing_version(work, version_name)

    async def restore_version(self, caller: str, name: str, *, etag: str) -> Document:
        """A new revision with the title and content of an earlier one; editors and owners."""
        version_name = VersionName.parse(name, "name")
        document_name = version_name.document.name
        async with self._unit_of_work() as work:
            await require_role(
                work, version_name.document.space, caller, SpaceAction.WRITE_DOCUMENTS
            )
            current = await existing_document(work, document_name)
            version = await _existing_version(work, version_name)
            check_etag(etag, current.etag, resource=document_name, field="etag", required=True)
            restored = current.revised(
                title=version.title,
                content=version.content,
                content_type=version.content_type,
                author=caller,
                at=self._clock(),
            )
            await store_revision(work, current, restored, restored_from=version.revision)
            await work.commit()
        self._feed.publish(DocumentChange(DocumentChangeType.UPDATED, restored))
        return restored


async def _existing_version(work: KnowledgeUnitOfWork, name: VersionName) -> DocumentVersion:
    version = await work.versions.get(name.document.name, name.revision)
    if version is None:
        raise NotFoundError(
            f"{VersionName.format(name.document.name, name.revision)} does not exist"
        )
    return version
