"""Indexing one document revision, and removing documents: the record changes, the events are
recorded, all in the caller's transaction. Never backwards: a revision older than one already
seen changes nothing."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from knowledge.vector.v1.events_pb2 import (
    DocumentIndexed,
    DocumentIndexFailed,
    DocumentUnindexed,
)
from knowledge_kit.api import Clock, utc_now

from ..domain.chunking import cut_passages, embedding_text
from ..domain.chunks import DocumentRevision, Passage
from ..domain.ports import Vectors
from ..domain.status import DocumentStatus, IndexState
from ..repository.work import VectorWork
from .live_index import Generation, LiveIndex

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class ChunkingPolicy:
    """Passages of at most `max_chars`, overlapping by `overlap_chars`; documents longer than
    `max_document_chars` are not indexed (their status says why)."""

    max_chars: int = 1200
    overlap_chars: int = 150
    max_document_chars: int = 2_000_000


@dataclass(frozen=True, slots=True)
class IndexOutcome:
    """What indexing a revision did: `changed` is False when a newer or equal revision was
    already recorded, and `status` is what is recorded now."""

    changed: bool
    status: DocumentStatus


class Indexing:
    """Cuts, embeds and records revisions; removes documents and spaces. A revision is
    embedded by every generation's model (the serving one, and the one being built beside
    it), so the new generation misses no edit made while it is built."""

    def __init__(self, live: LiveIndex, policy: ChunkingPolicy, *, clock: Clock = utc_now) -> None:
        self._live = live
        self._policy = policy
        self._clock = clock

    @property
    def model(self) -> str:
        """The serving generation's model version, named in statuses and events."""
        return self._live.serving.model

    @property
    def max_document_chars(self) -> int:
        return self._policy.max_document_chars

    async def index(
        self, work: VectorWork, revision: DocumentRevision, *, reread: bool = False
    ) -> IndexOutcome:
        """Record `revision`'s chunks unless something newer is recorded (`reread`: the
        revision was just read from ms_knowledge, see DocumentStatus.supersedes). A revision
        that cannot be indexed (too long, the model failing) is recorded as failed, with its
        error, and DocumentIndexFailed is published; the searchable revision stays."""
        seen = await work.records.status(revision.document)
        if seen is not None and seen.supersedes(revision.revision, self.model, reread=reread):
            return IndexOutcome(False, seen)
        generations = self._live.writing()
        try:
            passages, embedded = await self._embedded(revision, generations)
        except _Unindexable as failure:
            return IndexOutcome(True, await self._failed(work, revision, seen, str(failure)))
        for model, vectors in embedded:
            await work.records.replace_chunks(revision, passages, vectors, model)
        status = DocumentStatus(
            document=revision.document,
            space=revision.space,
            state=IndexState.INDEXED,
            indexed_revision=revision.revision,
            latest_revision=revision.revision,
            embedding_model=self.model,
            chunk_count=len(passages),
            last_error="",
            status_time=self._clock(),
        )
        await work.records.save_status(status, seen=seen)
        await work.record(
            DocumentIndexed(
                document=revision.document,
                revision=revision.revision,
                chunk_count=len(passages),
                embedding_model=self.model,
            ),
            subject=revision.document,
        )
        return IndexOutcome(True, status)

    async def remove(self, work: VectorWork, document: str, space: str, revision: int = 0) -> int:
        """Remove `document` from the index (deleted at `revision`; 0: whatever it was at).
        How many chunks went; a deletion older than the recorded revision changes nothing."""
        seen = await work.records.status(document)
        if seen is not None and revision and revision < seen.latest_revision:
            return 0
        if seen is not None and seen.state is IndexState.DELETED:
            return 0
        removed = await work.records.delete_chunks(document)
        status = DocumentStatus(
            document=document,
            space=space,
            state=IndexState.DELETED,
            indexed_revision=0,
            latest_revision=max(revision, seen.latest_revision if seen else 0),
            embedding_model=seen.embedding_model if seen else self.model,
            chunk_count=0,
            last_error="",
            status_time=self._clock(),
        )
        await work.records.save_status(status, seen=seen)
        await work.record(
            DocumentUnindexed(document=document, removed_chunk_count=removed), subject=document
        )
        return removed

    async def remove_space(self, work: VectorWork, space: str) -> list[str]:
        """Everything of `space`; the documents it held (for the in-memory indexes)."""
        documents = await work.records.documents_of_space(space)
        await work.records.delete_space(space)
        return documents

    async def _embedded(
        self, revision: DocumentRevision, generations: list[Generation]
    ) -> tuple[list[Passage], list[tuple[str, Vectors]]]:
        """The passages and each generation's vectors of them. The serving model failing makes
        the revision unindexable; a generation being built that fails is left out (its build
        embeds the revision again, or fails)."""
        policy = self._policy
        length = len(revision.content)
        if length > policy.max_document_chars:
            raise _Unindexable(
                f"the content has {length} characters; at most {policy.max_document_chars} "
                "are indexed"
            )
        passages = await asyncio.to_thread(
            cut_passages,
            revision.content,
            revision.content_type,
            max_chars=policy.max_chars,
            overlap_chars=policy.overlap_chars,
        )
        texts = [embedding_text(revision.title, passage) for passage in passages]
        embedded: list[tuple[str, Vectors]] = []
        for position, generation in enumerate(generations):  # the serving one first
            try:
                vectors = await asyncio.to_thread(generation.embedder.embed, texts)
            except Exception as error:  # the model's failure is the revision's status
                log.exception(
                    "embedding failed",
                    extra={"document": revision.document, "model": generation.model},
                )
                if position == 0:
                    raise _Unindexable(f"the embedding model failed: {error}") from error
                continue
            embedded.append((generation.model, vectors))
        return passages, embedded

    async def _failed(
        self,
        work: VectorWork,
        revision: DocumentRevision,
        seen: DocumentStatus | None,
        error: str,
    ) -> DocumentStatus:
        status = DocumentStatus(
            document=revision.document,
            space=revision.space,
            state=IndexState.FAILED,
            indexed_revision=seen.indexed_revision if seen else 0,
            latest_revision=revision.revision,
            embedding_model=seen.embedding_model if seen else self.model,
            chunk_count=seen.chunk_count if seen else 0,
            last_error=error,
            status_time=self._clock(),
        )
        await work.records.save_status(status, seen=seen)
        await work.record(
            DocumentIndexFailed(
                document=revision.document,
                revision=revision.revision,
                error=error,
                embedding_model=self.model,
            ),
            subject=revision.document,
        )
        return status


class _Unindexable(Exception):
    """A revision that cannot be indexed, for a reason its status will carry."""
