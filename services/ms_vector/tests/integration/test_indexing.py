"""Indexing revisions: searchable at once, cited exactly, never backwards, gone when deleted,
failures recorded without losing what was searchable, rebuilt from the database at start."""

from __future__ import annotations

from pathlib import Path

import pytest
from knowledge.common.v1.event_envelope_pb2 import EventEnvelope
from knowledge.vector.v1.events_pb2 import DocumentIndexed, DocumentIndexFailed
from knowledge_kit.database import UnitOfWork
from knowledge_kit.embeddings import WordLlamaEmbedder
from knowledge_kit.errors import NotFoundError, PermissionDeniedError, ValidationError
from knowledge_kit.events import EVENTS_METADATA, Outbox
from knowledge_kit.spaces import MemberRole
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_vector.adapters.faiss_index import FaissVectorIndex
from ms_vector.config import Settings
from ms_vector.domain.search_mode import SearchMode
from ms_vector.domain.status import IndexState
from ms_vector.main import VectorParts, vector_parts
from ms_vector.repository.work import VectorWork
from ms_vector.service.search import SearchQuery

from ..support import Spaces, UnreachableKnowledge, revision

ADA = "users/ada"
HANDBOOK = "spaces/handbook"
GUIDE = "spaces/handbook/documents/onboarding"
GUIDE_TEXT = """# Onboarding

## Laptops

Every new engineer receives a laptop on the first morning. The IT desk on the
second floor sets up disk encryption before handing it over.

## Payroll

Salaries are paid on the twenty-fifth of each month by bank transfer.
"""


@pytest.fixture
async def editor(spaces: Spaces) -> str:
    await spaces.add(HANDBOOK, ADA, MemberRole.EDITOR)
    return ADA


async def texts(vector: VectorParts, query: str, mode: SearchMode = SearchMode.HYBRID) -> list[str]:
    page = await vector.search.search(ADA, SearchQuery(query, mode))
    return [found.chunk.text for found in page.results]


async def published(sessions: async_sessionmaker[AsyncSession]) -> list[str]:
    """The type of each event recorded in the outbox, in order."""
    outbox = EVENTS_METADATA.tables["outbox_events"]
    async with sessions() as session:
        rows = await session.execute(select(outbox.c.envelope).order_by(outbox.c.position))
        return [EventEnvelope.FromString(row).type for row in rows.scalars()]


async def test_an_indexed_revision_is_found_by_words_and_by_meaning_with_exact_offsets(
    vector: VectorParts, editor: str
) -> None:
    outcome = await vector.documents.index(editor, revision(GUIDE, GUIDE_TEXT))
    assert outcome.status.state is IndexState.INDEXED and outcome.status.chunk_count >= 1
    lexical = await vector.search.search(ADA, SearchQuery("disk encryption", SearchMode.LEXICAL))
    dense = await vector.search.search(ADA, SearchQuery("when do I get paid?", SearchMode.DENSE))
    for page in (lexical, dense):
        assert page.results, "nothing found"
    best = lexical.results[0]
    assert "disk encryption" in best.chunk.text
    assert GUIDE_TEXT[best.chunk.start : best.chunk.end] == best.chunk.text
    assert best.chunk.heading_path == ("Onboarding", "Laptops")
    assert [GUIDE_TEXT[start:end].lower() for start, end in best.highlights] == [
        "disk",
        "encryption",
    ]
    assert "twenty-fifth" in dense.results[0].chunk.text


async def test_an_older_revision_never_replaces_a_newer_one(
    vector: VectorParts, editor: str
) -> None:
    await vector.documents.index(editor, revision(GUIDE, "Meetings happen on Tuesdays.", number=3))
    stale = await vector.documents.index(
        editor, revision(GUIDE, "Meetings happen on Fridays.", number=2)
    )
    assert stale.changed is False and stale.status.indexed_revision == 3
    assert await texts(vector, "fridays", SearchMode.LEXICAL) == []
    newer = await vector.documents.index(
        editor, revision(GUIDE, "Meetings moved to Thursdays.", number=4)
    )
    assert newer.changed and newer.status.indexed_revision == 4
    assert await texts(vector, "tuesdays", SearchMode.LEXICAL) == []
    assert await texts(vector, "thursdays", SearchMode.LEXICAL) == ["Meetings moved to Thursdays."]


async def test_indexing_the_same_revision_again_changes_nothing(
    vector: VectorParts, editor: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    first = await vector.documents.index(editor, revision(GUIDE, GUIDE_TEXT))
    again = await vector.documents.index(editor, revision(GUIDE, GUIDE_TEXT))
    assert first.changed and not again.changed
    assert await published(sessions) == [DocumentIndexed.DESCRIPTOR.full_name]
    assert len(await texts(vector, "laptop", SearchMode.LEXICAL)) == 1


async def test_a_removed_document_leaves_nothing_searchable(
    vector: VectorParts, editor: str
) -> None:
    await vector.documents.index(editor, revision(GUIDE, GUIDE_TEXT))
    removed = await vector.documents.remove(editor, GUIDE)
    assert removed >= 1
    for mode in SearchMode:
        assert await texts(vector, "laptop encryption payroll", mode) == []
    status = await vector.documents.status(editor, GUIDE)
    assert status.state is IndexState.DELETED and status.chunk_count == 0
    late = await vector.documents.index(editor, revision(GUIDE, GUIDE_TEXT))
    assert late.changed is False  # a delivery older than the deletion does not bring it back


async def test_a_deleted_space_leaves_nothing_behind(
    vector: VectorParts, editor: str, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await vector.documents.index(editor, revision(GUIDE, GUIDE_TEXT))
    async with UnitOfWork(sessions) as uow:
        documents = await vector.indexing.remove_space(
            VectorWork(uow.session, Outbox("ms_vector")), HANDBOOK
        )
        await uow.commit()
    await vector.live.refresh(documents)
    assert documents == [GUIDE]
    assert vector.live.chunk_count == 0
    assert await texts(vector, "laptop") == []


async def test_a_revision_that_cannot_be_indexed_is_recorded_as_failed_and_the_last_one_stays(
    sessions: async_sessionmaker[AsyncSession],
    embedder: WordLlamaEmbedder,
    spaces: Spaces,
    tmp_path: Path,
) -> None:
    await spaces.add(HANDBOOK, ADA, MemberRole.EDITOR)
    settings = Settings(max_document_chars=1_000)
    dense = FaissVectorIndex(embedder.dimensions, None)
    parts = vector_parts(
        settings, sessions, Outbox("ms_vector"), embedder, dense, UnreachableKnowledge()
    )
    await parts.documents.index(ADA, revision(GUIDE, GUIDE_TEXT))
    too_long = revision(GUIDE, "laptop " * 500, number=2)
    with pytest.raises(ValidationError) as refused:  # asked for directly: refused, naming content
        await parts.documents.index(ADA, too_long)
    assert [violation.field for violation in refused.value.violations] == ["content"]
    async with UnitOfWork(sessions) as uow:  # delivered by an event: recorded as failed
        outcome = await parts.indexing.index(VectorWork(uow.session, Outbox("ms_vector")), too_long)
        await uow.commit()
    status = outcome.status
    assert status.state is IndexState.FAILED
    assert (status.indexed_revision, status.latest_revision) == (1, 2)
    assert "3500 characters" in status.last_error
    assert DocumentIndexFailed.DESCRIPTOR.full_name in await published(sessions)
    page = await parts.search.search(ADA, SearchQuery("disk encryption", SearchMode.LEXICAL))
    assert page.results and page.results[0].chunk.revision == 1


async def test_the_index_is_rebuilt_from_the_database_when_the_service_starts(
    sessions: async_sessionmaker[AsyncSession],
    embedder: WordLlamaEmbedder,
    spaces: Spaces,
    tmp_path: Path,
) -> None:
    await spaces.add(HANDBOOK, ADA, MemberRole.EDITOR)
    path = tmp_path / "index.npz"

    def started() -> VectorParts:
        dense = FaissVectorIndex(embedder.dimensions, path)
        return vector_parts(
            Settings(), sessions, Outbox("ms_vector"), embedder, dense, UnreachableKnowledge()
        )

    first = started()
    await first.live.load()
    await first.documents.index(ADA, revision(GUIDE, GUIDE_TEXT))
    await first.live.dense.close()  # persisted
    other = "spaces/handbook/documents/travel"
    await first.documents.index(ADA, revision(other, "Book trains rather than flights."))
    # ...indexed after the index file was written: the start-up load must add it.
    second = started()
    await second.live.load()
    assert await texts(second, "disk encryption", SearchMode.DENSE)
    assert await texts(second, "trains instead of planes", SearchMode.DENSE)
    assert second.live.chunk_count == first.live.chunk_count


async def test_only_editors_and_owners_index_or_remove_and_members_read_the_status(
    vector: VectorParts, spaces: Spaces
) -> None:
    await spaces.add(HANDBOOK, "users/vic", MemberRole.VIEWER)
    with pytest.raises(PermissionDeniedError):
        await vector.documents.index("users/vic", revision(GUIDE, GUIDE_TEXT))
    with pytest.raises(NotFoundError):
        await vector.documents.index("users/eve", revision(GUIDE, GUIDE_TEXT))
    with pytest.raises(PermissionDeniedError):
        await vector.documents.remove("users/vic", GUIDE)
    with pytest.raises(NotFoundError, match="has not been indexed"):
        await vector.documents.status("users/vic", GUIDE)
    with pytest.raises(NotFoundError, match="does not exist"):
        await vector.documents.status("users/eve", GUIDE)
