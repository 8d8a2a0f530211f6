"""Version history: every revision is kept, can be read, and can be restored as a new revision."""

from __future__ import annotations

import pytest
from knowledge_kit.errors import ConflictError, NotFoundError, ValidationError

from ms_knowledge.domain.events import DocumentUpdated
from ms_knowledge.service.documents import DocumentChanges, SeenRevision

from .conftest import EDITOR, VIEWER, Knowledge


async def test_versions_are_listed_newest_first_and_readable(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()
    document = await knowledge.document(space, content="v1")
    for content in ("v2", "v3"):
        document = await knowledge.documents.update_document(
            EDITOR,
            document.name,
            DocumentChanges({"content"}, content=content),
            SeenRevision(document.etag),
        )

    page = await knowledge.versions.list_versions(VIEWER, document.name, 2, "")
    rest = await knowledge.versions.list_versions(VIEWER, document.name, 2, page.next_page_token)
    second = await knowledge.versions.get_version(VIEWER, f"{document.name}/versions/2")

    assert [v.revision for v in page.items + rest.items] == [3, 2, 1]
    assert (second.name, second.content, second.author) == (
        f"{document.name}/versions/2",
        "v2",
        EDITOR,
    )


async def test_restoring_makes_a_new_revision_with_the_old_content(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()
    first = await knowledge.document(space, content="original")
    second = await knowledge.documents.update_document(
        EDITOR,
        first.name,
        DocumentChanges({"content"}, content="mistake"),
        SeenRevision(first.etag),
    )

    restored = await knowledge.versions.restore_version(
        EDITOR, f"{first.name}/versions/1", etag=second.etag
    )

    assert (restored.revision, restored.content) == (3, "original")
    latest = await knowledge.versions.get_version(VIEWER, f"{first.name}/versions/3")
    assert latest.restored_from_revision == 1
    assert knowledge.store.state.events[-1] == DocumentUpdated(
        restored, previous_revision=2, restored_from_revision=1
    )


async def test_restoring_needs_the_current_etag(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()
    first = await knowledge.document(space)
    await knowledge.documents.update_document(
        EDITOR, first.name, DocumentChanges({"content"}, content="v2"), SeenRevision(first.etag)
    )

    with pytest.raises(ConflictError):
        await knowledge.versions.restore_version(
            EDITOR, f"{first.name}/versions/1", etag=first.etag
        )
    with pytest.raises(ValidationError) as refused:
        await knowledge.versions.restore_version(EDITOR, f"{first.name}/versions/1", etag="")
    assert refused.value.violations[0].field == "etag"
    assert (await knowledge.documents.get_document(VIEWER, first.name)).content == "v2"


async def test_a_revision_that_never_existed_is_not_found(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()
    document = await knowledge.document(space)

    with pytest.raises(NotFoundError):
        await knowledge.versions.get_version(VIEWER, f"{document.name}/versions/9")
    with pytest.raises(ValidationError) as refused:
        await knowledge.versions.get_version(VIEWER, f"{document.name}/versions/0")
    assert refused.value.violations[0].field == "name"
