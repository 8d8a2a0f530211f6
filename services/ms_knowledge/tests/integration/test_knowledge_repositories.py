"""The repositories on the real database: what they keep, how they order, what they refuse."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from knowledge.knowledge.v1 import events_pb2
from knowledge_kit.api import new_etag
from knowledge_kit.errors import AlreadyExistsError
from knowledge_kit.events import Outbox, outbox_events
from knowledge_kit.events.envelope import EventEnvelope
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_knowledge.domain.documents import Document
from ms_knowledge.domain.events import DocumentCreated, SpaceCreated
from ms_knowledge.domain.roles import SpaceRole
from ms_knowledge.domain.spaces import Space, SpaceMember
from ms_knowledge.repository.unit_of_work import SqlKnowledgeUnitOfWork

START = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


def unit_of_work(sessions: async_sessionmaker[AsyncSession]) -> SqlKnowledgeUnitOfWork:
    return SqlKnowledgeUnitOfWork(sessions, Outbox("ms_knowledge"))


def a_space(space_id: str, display_name: str) -> Space:
    return Space(f"spaces/{space_id}", display_name, "about it", START, START, new_etag())


def a_document(space: Space, document_id: str, title: str, minutes: int) -> Document:
    return Document.create(
        name=f"{space.name}/documents/{document_id}",
        space=space.name,
        title=title,
        content=f"content of {title}",
        content_type="text/markdown",
        author="users/olivia",
        at=START + timedelta(minutes=minutes),
    )


async def test_spaces_round_trip_and_list_for_their_members_by_name(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as work:
        for space_id, display_name in (("b", "beta"), ("a", "Alpha"), ("c", "Gamma")):
            space = a_space(space_id, display_name)
            await work.spaces.add(space)
            if space_id != "c":
                await work.members.add(
                    SpaceMember(space.name, "users/olivia", SpaceRole.OWNER, START, "users/olivia")
                )
        await work.commit()

    async with unit_of_work(sessions) as work:
        listed = await work.spaces.list_for_member("users/olivia", offset=0, limit=10)
        second_page = await work.spaces.list_for_member("users/olivia", offset=1, limit=10)
        stored = await work.spaces.get("spaces/a")

    assert [space.display_name for space in listed] == ["Alpha", "beta"]
    assert [space.display_name for space in second_page] == ["beta"]
    assert stored is not None
    assert (stored.display_name, stored.create_time) == ("Alpha", START)


async def test_a_replace_only_wins_over_the_etag_it_read(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    space = a_space("s", "Space")
    async with unit_of_work(sessions) as work:
        await work.spaces.add(space)
        await work.commit()

    renamed = space.changed(display_name="Renamed", description="", at=START)
    async with unit_of_work(sessions) as work:
        assert await work.spaces.replace(renamed, expected_etag=space.etag)
        assert not await work.spaces.replace(
            replace(renamed, display_name="Lost"), expected_etag=space.etag
        )
        await work.commit()

    async with unit_of_work(sessions) as work:
        assert await work.spaces.get(space.name) == renamed


async def test_a_taken_name_is_refused_without_spoiling_the_transaction(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    space = a_space("s", "Space")
    async with unit_of_work(sessions) as work:
        await work.spaces.add(space)
        with pytest.raises(AlreadyExistsError):
            await work.spaces.add(space)
        await work.members.add(
            SpaceMember(space.name, "users/olivia", SpaceRole.OWNER, START, "users/olivia")
        )
        await work.commit()

    async with unit_of_work(sessions) as work:
        assert await work.members.count_owners(space.name) == 1


async def test_documents_list_newest_first_without_content_filtered_literally(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    space = a_space("s", "Space")
    async with unit_of_work(sessions) as work:
        await work.spaces.add(space)
        for number, title in enumerate(("100% done", "Plan B", "1000 done", "plan_c")):
            await work.documents.add(a_document(space, f"d{number}", title, minutes=number))
        await work.commit()

    async with unit_of_work(sessions) as work:
        everything = await work.documents.list_in_space(
            space.name, title_contains="", offset=0, limit=10
        )
        percent = await work.documents.list_in_space(
            space.name, title_contains="0%", offset=0, limit=10
        )
        plans = await work.documents.list_in_space(
            space.name, title_contains="PLAN", offset=0, limit=10
        )
        underscore = await work.documents.list_in_space(
            space.name, title_contains="n_c", offset=0, limit=10
        )

    assert [d.title for d in everything] == ["plan_c", "1000 done", "Plan B", "100% done"]
    assert {d.content for d in everything} == {""}
    assert [d.title for d in percent] == ["100% done"]
    assert [d.title for d in plans] == ["plan_c", "Plan B"]
    assert [d.title for d in underscore] == ["plan_c"]


async def test_versions_are_kept_newest_first_and_go_with_their_space(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    space = a_space("s", "Space")
    document = a_document(space, "d", "Doc", minutes=0)
    async with unit_of_work(sessions) as work:
        await work.spaces.add(space)
        await work.documents.add(document)
        await work.versions.add(document.as_version())
        revised = document.revised(
            title="Doc", content="v2", content_type="text/plain", author="users/e", at=START
        )
        assert await work.documents.replace(revised, expected_etag=document.etag)
        await work.versions.add(revised.as_version(restored_from_revision=1))
        await work.commit()

    async with unit_of_work(sessions) as work:
        versions = await work.versions.list_for_document(document.name, offset=0, limit=10)
        assert [(v.revision, v.restored_from_revision) for v in versions] == [(2, 1), (1, 0)]
        assert await work.versions.get(document.name, 2) == revised.as_version(1)
        await work.spaces.remove(space.name)
        await work.commit()

    async with unit_of_work(sessions) as work:
        assert await work.documents.get(document.name) is None
        assert await work.versions.list_for_document(document.name, offset=0, limit=10) == []


async def test_events_reach_the_outbox_only_when_the_change_commits(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    kept, dropped = a_space("kept", "Kept"), a_space("dropped", "Dropped")
    async with unit_of_work(sessions) as work:
        await work.spaces.add(dropped)
        await work.record(SpaceCreated(dropped, creator="users/olivia"))
    async with unit_of_work(sessions) as work:
        await work.spaces.add(kept)
        await work.record(SpaceCreated(kept, creator="users/olivia"))
        await work.record(DocumentCreated(a_document(kept, "d", "Doc", minutes=0)))
        await work.commit()

    async with sessions() as session:
        rows = (
            await session.execute(
                select(
                    outbox_events.c.topic, outbox_events.c.subject, outbox_events.c.envelope
                ).order_by(outbox_events.c.position)
            )
        ).all()

    assert [(row.topic, row.subject) for row in rows] == [
        ("knowledge.spaces.v1", "spaces/kept"),
        ("knowledge.documents.v1", "spaces/kept/documents/d"),
    ]
    envelope = EventEnvelope.FromString(rows[1].envelope)
    payload = events_pb2.DocumentCreated()
    assert envelope.payload.Unpack(payload)
    assert (envelope.type, envelope.source, payload.content, payload.author.name) == (
        "knowledge.knowledge.v1.DocumentCreated",
        "ms_knowledge",
        "content of Doc",
        "users/olivia",
    )
