"""Live views: a watcher sees the document now, then each committed change, and nothing else."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from knowledge_kit.errors import ConflictError, NotFoundError

from ms_knowledge.domain.changes import DocumentChange, DocumentChangeType
from ms_knowledge.service.documents import DocumentChanges, SeenRevision

from .conftest import EDITOR, OWNER, VIEWER, Knowledge


async def _next(stream: AsyncIterator[DocumentChange]) -> DocumentChange:
    return await asyncio.wait_for(anext(stream), timeout=5)


async def test_a_document_watcher_sees_the_snapshot_then_each_edit_then_the_delete(
    knowledge: Knowledge,
) -> None:
    space = await knowledge.space_with_members()
    document = await knowledge.document(space)
    stream = await knowledge.watch.watch_document(VIEWER, document.name)

    snapshot = await _next(stream)
    edited = await knowledge.documents.update_document(
        EDITOR,
        document.name,
        DocumentChanges({"content"}, content="v2"),
        SeenRevision(document.etag),
    )
    update = await _next(stream)
    await knowledge.documents.delete_document(EDITOR, document.name, etag="")
    deleted = await _next(stream)

    assert (snapshot.change_type, snapshot.document) == (DocumentChangeType.SNAPSHOT, document)
    assert (update.change_type, update.document) == (DocumentChangeType.UPDATED, edited)
    assert deleted.change_type is DocumentChangeType.DELETED
    with pytest.raises(StopAsyncIteration):
        await _next(stream)
    assert knowledge.feed.watchers(document.name) == 0


async def test_a_space_watcher_sees_changes_of_every_document_without_content(
    knowledge: Knowledge,
) -> None:
    space = await knowledge.space_with_members()
    stream = await knowledge.watch.watch_space(VIEWER, space.name)

    created = await knowledge.document(space, title="Fresh", content="body")
    change = await _next(stream)

    assert change.change_type is DocumentChangeType.CREATED
    assert (change.document.name, change.document.title, change.document.content) == (
        created.name,
        "Fresh",
        "",
    )
    await stream.aclose()  # type: ignore[attr-defined]
    assert knowledge.feed.watchers(space.name) == 0


async def test_outsiders_cannot_watch(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()
    document = await knowledge.document(space)

    with pytest.raises(NotFoundError):
        await knowledge.watch.watch_document("users/sam", document.name)
    with pytest.raises(NotFoundError):
        await knowledge.watch.watch_space("users/sam", space.name)
    assert knowledge.feed.watchers(document.name) == 0
    assert knowledge.feed.watchers(space.name) == 0


async def test_a_removed_member_stops_seeing_changes(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()
    document = await knowledge.document(space)
    stream = await knowledge.watch.watch_document(VIEWER, document.name)
    await _next(stream)

    await knowledge.members.remove_member(OWNER, f"{space.name}/members/vera")
    await knowledge.documents.update_document(
        EDITOR,
        document.name,
        DocumentChanges({"content"}, content="private"),
        SeenRevision(document.etag),
    )

    with pytest.raises(NotFoundError):
        await _next(stream)


async def test_deleting_the_space_ends_its_watchers(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()
    document = await knowledge.document(space)
    stream = await knowledge.watch.watch_document(VIEWER, document.name)
    await _next(stream)

    await knowledge.spaces.delete_space(OWNER, space.name, etag="")

    with pytest.raises(NotFoundError):
        await _next(stream)


async def test_a_watcher_that_falls_behind_is_ended_not_buffered_forever(
    knowledge: Knowledge,
) -> None:
    space = await knowledge.space_with_members()
    document = await knowledge.document(space)
    stream = await knowledge.watch.watch_document(VIEWER, document.name)
    await _next(stream)

    for number in range(5):  # the test feed keeps a backlog of 4 per watcher
        document = await knowledge.documents.update_document(
            EDITOR,
            document.name,
            DocumentChanges({"content"}, content=f"v{number}"),
            SeenRevision(document.etag),
        )

    with pytest.raises(ConflictError):
        await _next(stream)


async def test_a_document_watcher_never_goes_back_to_an_older_revision(
    knowledge: Knowledge,
) -> None:
    space = await knowledge.space_with_members()
    first = await knowledge.document(space)
    stream = await knowledge.watch.watch_document(VIEWER, first.name)
    await _next(stream)
    second = await knowledge.documents.update_document(
        EDITOR, first.name, DocumentChanges({"content"}, content="v2"), SeenRevision(first.etag)
    )
    third = await knowledge.documents.update_document(
        EDITOR, first.name, DocumentChanges({"content"}, content="v3"), SeenRevision(second.etag)
    )

    # Two writers finishing together can publish in the opposite order to their commits.
    knowledge.feed.publish(DocumentChange(DocumentChangeType.UPDATED, second))
    await knowledge.documents.delete_document(EDITOR, first.name, etag="")

    seen = [await _next(stream) for _ in range(3)]
    assert [(change.change_type, change.document.revision) for change in seen] == [
        (DocumentChangeType.UPDATED, 2),
        (DocumentChangeType.UPDATED, third.revision),
        (DocumentChangeType.DELETED, third.revision),
    ]


async def test_a_change_heard_twice_is_delivered_once(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()
    stream = await knowledge.watch.watch_space(VIEWER, space.name)
    created = await knowledge.document(space)

    # The same commit, heard again from Kafka after this instance published it itself.
    knowledge.feed.publish(DocumentChange(DocumentChangeType.CREATED, created))
    await knowledge.documents.delete_document(EDITOR, created.name, etag="")
    knowledge.feed.publish(DocumentChange(DocumentChangeType.DELETED, created))
    later = await knowledge.document(space, title="Later")

    seen = [await _next(stream) for _ in range(3)]
    assert [(change.change_type, change.document.name) for change in seen] == [
        (DocumentChangeType.CREATED, created.name),
        (DocumentChangeType.DELETED, created.name),
        (DocumentChangeType.CREATED, later.name),
    ]
