"""The index's record in the database: each document's status and the chunks of its indexed
revision, with their vectors."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from knowledge_kit.errors import ConflictError
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.chunking import embedding_text
from ..domain.chunks import ChunkMeta, DocumentRevision, IndexedChunk, Passage
from ..domain.ports import ChunkVector, Vectors
from ..domain.status import DocumentStatus, IndexState
from .tables import chunks, indexed_documents

_CHUNK_FIELDS = [column for column in chunks.c if column.name != "vector"]


@dataclass(frozen=True, slots=True)
class StoredChunkVector:
    """A chunk as the in-memory indexes hold it: its vector with its filter fields, and the
    text BM25 reads (domain.chunking.embedding_text)."""

    vector: ChunkVector
    searchable: str


class SqlIndexRecords:
    """Statuses and chunks within one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def status(self, document: str) -> DocumentStatus | None:
        row = (
            await self._session.execute(
                select(indexed_documents).where(indexed_documents.c.document == document)
            )
        ).first()
        return _status(row._mapping) if row is not None else None

    async def save_status(self, status: DocumentStatus, *, seen: DocumentStatus | None) -> None:
        """Write `status` if the row still is what `seen` was (None: no row): a concurrent
        indexing of the same document makes this ConflictError instead of a lost update."""
        values = _status_row(status)
        if seen is None:
            try:
                async with self._session.begin_nested():
                    await self._session.execute(insert(indexed_documents).values(**values))
            except IntegrityError:
                raise _concurrent(status.document) from None
            return
        result = await self._session.execute(
            update(indexed_documents)
            .where(
                indexed_documents.c.document == seen.document,
                indexed_documents.c.latest_revision == seen.latest_revision,
                indexed_documents.c.state == int(seen.state),
                indexed_documents.c.status_time == seen.status_time,
            )
            .values(**values)
        )
        if getattr(result, "rowcount", 0) != 1:
            raise _concurrent(status.document)

    async def replace_chunks(
        self,
        revision: DocumentRevision,
        passages: Sequence[Passage],
        vectors: Vectors,
        embedding_model: str,
    ) -> None:
        """The document's chunks embedded by `embedding_model` become `passages` of
        `revision` (its old ones deleted; other models' chunks are other generations')."""
        await self._session.execute(
            delete(chunks).where(
                chunks.c.document == revision.document, chunks.c.embedding_model == embedding_model
            )
        )
        if not passages:
            return
        rows = [
            {
                "document": revision.document,
                "space": revision.space,
                "revision": revision.revision,
                "ordinal": passage.ordinal,
                "title": revision.title,
                "text": passage.text,
                "start_offset": passage.start,
                "end_offset": passage.end,
                "heading_path": json.dumps(list(passage.heading_path)),
                "content_type": revision.content_type,
                "embedding_model": embedding_model,
                "updated_at": revision.updated_at,
                "vector": np.ascontiguousarray(vector, dtype="<f4").tobytes(),
            }
            for passage, vector in zip(passages, vectors, strict=True)
        ]
        await self._session.execute(insert(chunks), rows)

    async def delete_chunks(self, document: str) -> int:
        result = await self._session.execute(delete(chunks).where(chunks.c.document == document))
        return int(getattr(result, "rowcount", 0) or 0)

    async def documents_of_space(self, space: str) -> list[str]:
        rows = await self._session.execute(
            select(indexed_documents.c.document).where(indexed_documents.c.space == space)
        )
        return list(rows.scalars())

    async def delete_space(self, space: str) -> None:
        """Every chunk and status of `space`."""
        await self._session.execute(delete(chunks).where(chunks.c.space == space))
        await self._session.execute(
            delete(indexed_documents).where(indexed_documents.c.space == space)
        )

    async def chunks_by_id(self, ids: Iterable[int]) -> dict[int, IndexedChunk]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = await self._session.execute(select(*_CHUNK_FIELDS).where(chunks.c.id.in_(wanted)))
        return {row.id: _chunk(row._mapping) for row in rows}

    async def vectors_of(self, documents: Iterable[str], model: str) -> list[StoredChunkVector]:
        """The chunks of `documents` embedded by `model`, with their vectors, for the
        in-memory indexes of that model's generation."""
        wanted = list(documents)
        if not wanted:
            return []
        rows = await self._session.execute(
            select(chunks)
            .where(chunks.c.document.in_(wanted), chunks.c.embedding_model == model)
            .order_by(chunks.c.id)
        )
        return [_stored(row._mapping) for row in rows]

    async def vectors_after(self, after_id: int, limit: int, model: str) -> list[StoredChunkVector]:
        """Up to `limit` chunks of `model` with ids above `after_id`, by id: a generation's
        whole record, in batches."""
        rows = await self._session.execute(
            select(chunks)
            .where(chunks.c.id > after_id, chunks.c.embedding_model == model)
            .order_by(chunks.c.id)
            .limit(limit)
        )
        return [_stored(row._mapping) for row in rows]

    async def revisions_by_document(self, model: str) -> dict[str, int]:
        """The revision each document's chunks embedded by `model` are of."""
        rows = await self._session.execute(
            select(chunks.c.document, func.max(chunks.c.revision))
            .where(chunks.c.embedding_model == model)
            .group_by(chunks.c.document)
        )
        return {document: int(revision) for document, revision in rows.tuples()}

    async def chunks_of_documents(
        self, documents: Sequence[str], model: str
    ) -> dict[str, list[IndexedChunk]]:
        """The chunks of each of `documents` embedded by `model`, in order (one query)."""
        found: dict[str, list[IndexedChunk]] = {name: [] for name in documents}
        if not documents:
            return found
        rows = await self._session.execute(
            select(*_CHUNK_FIELDS)
            .where(chunks.c.document.in_(list(documents)), chunks.c.embedding_model == model)
            .order_by(chunks.c.document, chunks.c.ordinal)
        )
        for row in rows:
            found[row.document].append(_chunk(row._mapping))
        return found

    async def copy_chunks(
        self, copied: dict[str, list[IndexedChunk]], vectors: Vectors, model: str
    ) -> None:
        """The chunks of each document in `copied` embedded by `model` become its chunks there
        (another model's) with `vectors`, in order: the same passages, embedded again."""
        if not copied:
            return
        await self._session.execute(
            delete(chunks).where(
                chunks.c.document.in_(list(copied)), chunks.c.embedding_model == model
            )
        )
        listed = [chunk for document in copied for chunk in copied[document]]
        if not listed:
            return
        rows = [
            {
                "document": chunk.document,
                "space": chunk.space,
                "revision": chunk.revision,
                "ordinal": chunk.ordinal,
                "title": chunk.title,
                "text": chunk.text,
                "start_offset": chunk.start,
                "end_offset": chunk.end,
                "heading_path": json.dumps(list(chunk.heading_path)),
                "content_type": chunk.content_type,
                "embedding_model": model,
                "updated_at": chunk.updated_at,
                "vector": np.ascontiguousarray(vector, dtype="<f4").tobytes(),
            }
            for chunk, vector in zip(listed, vectors, strict=True)
        ]
        await self._session.execute(insert(chunks), rows)

    async def drop_model_chunks(self, model: str, limit: int) -> int:
        """Delete up to `limit` chunks embedded by `model`; how many went."""
        ids = select(chunks.c.id).where(chunks.c.embedding_model == model).limit(limit)
        result = await self._session.execute(delete(chunks).where(chunks.c.id.in_(ids)))
        return int(getattr(result, "rowcount", 0) or 0)

    async def relabel(self, model: str, as_model: str) -> None:
        """Chunks embedded by `model` are recorded as embedded by `as_model` (the same files
        under another version's name)."""
        await self._session.execute(
            update(chunks).where(chunks.c.embedding_model == model).values(embedding_model=as_model)
        )

    async def drop_models_except(self, keep: Iterable[str]) -> None:
        """Delete every chunk embedded by a model not in `keep`."""
        await self._session.execute(
            delete(chunks).where(chunks.c.embedding_model.not_in(list(keep)))
        )

    async def set_statuses_model(self, model: str) -> None:
        """Every indexed document's status names `model`: its generation serves now."""
        await self._session.execute(
            update(indexed_documents)
            .where(indexed_documents.c.state == int(IndexState.INDEXED))
            .values(embedding_model=model)
        )


def _concurrent(document: str) -> ConflictError:
    return ConflictError(f"{document} was indexed concurrently; try again")


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for what was stored in UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _status(row: Any) -> DocumentStatus:
    return DocumentStatus(
        document=row["document"],
        space=row["space"],
        state=IndexState(row["state"]),
        indexed_revision=row["indexed_revision"],
        latest_revision=row["latest_revision"],
        embedding_model=row["embedding_model"],
        chunk_count=row["chunk_count"],
        last_error=row["last_error"],
        status_time=aware(row["status_time"]),
    )


def _status_row(status: DocumentStatus) -> dict[str, Any]:
    return {
        "document": status.document,
        "space": status.space,
        "state": int(status.state),
        "indexed_revision": status.indexed_revision,
        "latest_revision": status.latest_revision,
        "embedding_model": status.embedding_model,
        "chunk_count": status.chunk_count,
        "last_error": status.last_error,
        "status_time": status.status_time,
    }


def _meta(row: Any) -> ChunkMeta:
    return ChunkMeta(
        space=row["space"],
        document=row["document"],
        content_type=row["content_type"],
        updated_at=aware(row["updated_at"]),
    )


def _chunk(row: Any) -> IndexedChunk:
    return IndexedChunk(
        id=row["id"],
        document=row["document"],
        space=row["space"],
        revision=row["revision"],
        ordinal=row["ordinal"],
        title=row["title"],
        text=row["text"],
        start=row["start_offset"],
        end=row["end_offset"],
        heading_path=tuple(json.loads(row["heading_path"])),
        content_type=row["content_type"],
        embedding_model=row["embedding_model"],
        updated_at=aware(row["updated_at"]),
    )


def _stored(row: Any) -> StoredChunkVector:
    vector = np.frombuffer(row["vector"], dtype="<f4").astype(np.float32)
    passage = Passage(
        ordinal=row["ordinal"],
        text=row["text"],
        start=row["start_offset"],
        end=row["end_offset"],
        heading_path=tuple(json.loads(row["heading_path"])),
    )
    text = embedding_text(row["title"], passage)
    return StoredChunkVector(ChunkVector(row["id"], vector, _meta(row)), text)
