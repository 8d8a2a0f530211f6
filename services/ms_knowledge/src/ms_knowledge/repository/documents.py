"""Documents and their versions kept in the service's database."""

from __future__ import annotations

from typing import Any

from knowledge_kit.errors import AlreadyExistsError
from sqlalchemy import bindparam, delete, insert, literal, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.documents import Document, DocumentVersion
from .tables import document_versions, documents

# A document by name, the read of every document RPC: built once, as every request would build
# it anew and SQLAlchemy then derive its cache key again (about a tenth of a GetDocument's work).
_DOCUMENT_NAMED = select(documents).where(documents.c.name == bindparam("name"))

# Listings carry no content (the contract says so); the column is replaced by an empty string.
_LISTED_COLUMNS = [
    *(column for column in documents.c if column.name != "content"),
    literal("").label("content"),
]


class SqlDocumentRepository:
    """Maps documents at their current revision to rows of `documents`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, document: Document) -> None:
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(documents).values(**_document_row(document)))
        except IntegrityError:
            raise AlreadyExistsError(f"{document.name} already exists") from None

    async def get(self, name: str) -> Document | None:
        row = (await self._session.execute(_DOCUMENT_NAMED, {"name": name})).first()
        return _document(row) if row is not None else None

    async def list_in_space(
        self, space: str, *, title_contains: str, offset: int, limit: int
    ) -> list[Document]:
        query = select(*_LISTED_COLUMNS).where(documents.c.space == space)
        if title_contains:
            query = query.where(documents.c.title.icontains(title_contains, autoescape=True))
        rows = await self._session.execute(
            query.order_by(documents.c.update_time.desc(), documents.c.name.desc())
            .offset(offset)
            .limit(limit)
        )
        return [_document(row) for row in rows]

    async def replace(self, document: Document, *, expected_etag: str) -> bool:
        result = await self._session.execute(
            update(documents)
            .where(documents.c.name == document.name, documents.c.etag == expected_etag)
            .values(**_document_row(document))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def remove(self, name: str) -> None:
        # Its versions go with it (ON DELETE CASCADE).
        await self._session.execute(delete(documents).where(documents.c.name == name))


class SqlVersionRepository:
    """Maps the version history to rows of `document_versions`."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, version: DocumentVersion) -> None:
        await self._session.execute(
            insert(document_versions).values(
                document=version.document,
                revision=version.revision,
                title=version.title,
                content=version.content,
                content_type=version.content_type,
                author=version.author,
                create_time=version.create_time,
                restored_from_revision=version.restored_from_revision,
            )
        )

    async def get(self, document: str, revision: int) -> DocumentVersion | None:
        row = (
            await self._session.execute(
                select(document_versions).where(
                    document_versions.c.document == document,
                    document_versions.c.revision == revision,
                )
            )
        ).first()
        return _version(row) if row is not None else None

    async def list_for_document(
        self, document: str, *, offset: int, limit: int
    ) -> list[DocumentVersion]:
        rows = await self._session.execute(
            select(document_versions)
            .where(document_versions.c.document == document)
            .order_by(document_versions.c.revision.desc())
            .offset(offset)
            .limit(limit)
        )
        return [_version(row) for row in rows]


def _document_row(document: Document) -> dict[str, Any]:
    return {
        "name": document.name,
        "space": document.space,
        "title": document.title,
        "content": document.content,
        "content_type": document.content_type,
        "revision": document.revision,
        "etag": document.etag,
        "create_time": document.create_time,
        "update_time": document.update_time,
        "creator": document.creator,
        "last_editor": document.last_editor,
    }


def _document(row: Any) -> Document:
    return Document(
        name=row.name,
        space=row.space,
        title=row.title,
        content=row.content,
        content_type=row.content_type,
        revision=row.revision,
        etag=row.etag,
        create_time=row.create_time,
        update_time=row.update_time,
        creator=row.creator,
        last_editor=row.last_editor,
    )


def _version(row: Any) -> DocumentVersion:
    return DocumentVersion(
        document=row.document,
        revision=row.revision,
        title=row.title,
        content=row.content,
        content_type=row.content_type,
        author=row.author,
        create_time=row.create_time,
        restored_from_revision=row.restored_from_revision,
    )
