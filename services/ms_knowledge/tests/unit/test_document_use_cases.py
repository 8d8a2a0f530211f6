"""Documents: create, read, list with a title filter, edit with optimistic concurrency, delete."""

from __future__ import annotations

import pytest
from knowledge_kit.errors import AlreadyExistsError, ConflictError, NotFoundError, ValidationError

from ms_knowledge.domain.events import DocumentCreated, DocumentDeleted, DocumentUpdated
from ms_knowledge.service.documents import DocumentChanges, DocumentDraft, SeenRevision

from .conftest import EDITOR, OWNER, VIEWER, Knowledge


async def test_a_new_document_starts_at_revision_one_with_its_first_version(
    knowledge: Knowledge,
) -> None:
    space = await knowledge.space_with_members()

    document = await knowledge.documents.create_document(
        EDITOR, space.name, DocumentDraft("Onboarding", "# Hello"), document_id="onboarding"
    )

    assert document.name == "spaces/handbook/documents/onboarding"
    assert (document.revision, document.content_type, document.creator) == (
        1,
        "text/markdown",
        EDITOR,
    )
    assert await knowledge.documents.get_document(VIEWER, document.name) == document
    assert knowledge.store.state.events[-1] == DocumentCreated(document)
    versions = await knowledge.versions.list_versions(VIEWER, document.name, 0, "")
    assert [(v.revision, v.content) for v in versions.items] == [(1, "# Hello")]


async def test_a_taken_document_id_is_refused(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()
    await knowledge.documents.create_document(
        EDITOR, space.name, DocumentDraft("A", ""), document_id="a"
    )

    with pytest.raises(AlreadyExistsError):
        await knowledge.documents.create_document(
            OWNER, space.name, DocumentDraft("B", ""), document_id="a"
        )


@pytest.mark.parametrize(
    ("draft", "field"),
    [
        (DocumentDraft("", "body"), "document.title"),
        (DocumentDraft("Title", "body", "application/pdf"), "document.content_type"),
        (DocumentDraft("Title", "x" * 1_000_001), "document.content"),
    ],
)
async def test_bad_documents_are_refused_naming_the_field(
    knowledge: Knowledge, draft: DocumentDraft, field: str
) -> None:
    space = await knowledge.space_with_members()

    with pytest.raises(ValidationError) as refused:
        await knowledge.documents.create_document(EDITOR, space.name, draft)
    assert refused.value.violations[0].field == field


async def test_list_is_newest_first_without_content_and_filters_by_title(
    knowledge: Knowledge,
) -> None:
    space = await knowledge.space_with_members()
    for title in ("Onboarding guide", "Expenses", "Guide to on-call"):
        await knowledge.document(space, title=title, content="secret body")

    everything = await knowledge.documents.list_documents(VIEWER, space.name, 0, "", "")
    guides = await knowledge.documents.list_documents(VIEWER, space.name, 0, "", 'title:"GUIDE"')

    assert [d.title for d in everything.items] == [
        "Guide to on-call",
        "Expenses",
        "Onboarding guide",
    ]
    assert {d.content for d in everything.items} == {""}
    assert [d.title for d in guides.items] == ["Guide to on-call", "Onboarding guide"]


async def test_list_pages_through_every_document_once(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()
    for number in range(5):
        await knowledge.document(space, title=f"Doc {number}")

    first = await knowledge.documents.list_documents(VIEWER, space.name, 3, "", "")
    second = await knowledge.documents.list_documents(
        VIEWER, space.name, 3, first.next_page_token, ""
    )

    assert [d.title for d in first.items + second.items] == [f"Doc {n}" for n in range(4, -1, -1)]
    assert second.next_page_token == ""
    with pytest.raises(ValidationError) as refused:
        await knowledge.documents.list_documents(
            VIEWER, space.name, 3, first.next_page_token, 'title:"Doc"'
        )
    assert refused.value.violations[0].field == "page_token"


@pytest.mark.parametrize("expression", ["title=Doc", 'content:"x"', 'title:"unterminated'])
async def test_filters_other_than_title_are_refused(knowledge: Knowledge, expression: str) -> None:
    space = await knowledge.space_with_members()

    with pytest.raises(ValidationError) as refused:
        await knowledge.documents.list_documents(VIEWER, space.name, 0, "", expression)
    assert refused.value.violations[0].field == "filter"


async def test_an_edit_makes_a_new_revision_and_says_so(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()
    document = await knowledge.document(space)

    edited = await knowledge.documents.update_document(
        OWNER,
        document.name,
        DocumentChanges({"content"}, content="v2"),
        SeenRevision(document.etag),
    )

    assert (edited.revision, edited.title, edited.content, edited.last_editor) == (
        2,
        "Onboarding",
        "v2",
        OWNER,
    )
    assert edited.etag != document.etag
    assert knowledge.store.state.events[-1] == DocumentUpdated(edited, previous_revision=1)


async def test_a_stale_edit_is_aborted_and_the_winning_edit_is_kept(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()
    document = await knowledge.document(space)
    await knowledge.documents.update_document(
        EDITOR,
        document.name,
        DocumentChanges({"content"}, content="first"),
        SeenRevision(document.etag),
    )

    with pytest.raises(ConflictError):
        await knowledge.documents.update_document(
            OWNER,
            document.name,
            DocumentChanges({"content"}, content="second"),
            SeenRevision(document.etag),
        )
    with pytest.raises(ConflictError):
        await knowledge.documents.update_document(
            OWNER, document.name, DocumentChanges({"title"}, title="T"), SeenRevision(revision=1)
        )

    current = await knowledge.documents.get_document(VIEWER, document.name)
    assert (current.revision, current.content) == (2, "first")


async def test_an_edit_must_say_which_revision_it_is_based_on(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()
    document = await knowledge.document(space)

    with pytest.raises(ValidationError) as refused:
        await knowledge.documents.update_document(
            EDITOR, document.name, DocumentChanges({"content"}, content="x"), SeenRevision()
        )
    assert refused.value.violations[0].field == "document.etag"


async def test_an_edit_based_on_the_current_revision_number_is_accepted(
    knowledge: Knowledge,
) -> None:
    space = await knowledge.space_with_members()
    document = await knowledge.document(space)

    edited = await knowledge.documents.update_document(
        EDITOR, document.name, DocumentChanges({"title"}, title="Renamed"), SeenRevision(revision=1)
    )
    assert (edited.revision, edited.title, edited.content) == (2, "Renamed", "v1")


async def test_delete_removes_the_document_and_its_history(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()
    document = await knowledge.document(space)

    with pytest.raises(ConflictError):
        await knowledge.documents.delete_document(EDITOR, document.name, etag="stale")
    await knowledge.documents.delete_document(EDITOR, document.name, etag=document.etag)

    assert knowledge.store.state.events[-1] == DocumentDeleted(document, deleted_by=EDITOR)
    with pytest.raises(NotFoundError):
        await knowledge.documents.get_document(VIEWER, document.name)
    with pytest.raises(NotFoundError):
        await knowledge.versions.list_versions(VIEWER, document.name, 0, "")


async def test_malformed_names_are_refused_naming_the_field(knowledge: Knowledge) -> None:
    with pytest.raises(ValidationError) as refused:
        await knowledge.documents.get_document(VIEWER, "documents/x")
    assert refused.value.violations[0].field == "name"
    with pytest.raises(ValidationError) as refused_parent:
        await knowledge.documents.create_document(EDITOR, "space/x", DocumentDraft("T", ""))
    assert refused_parent.value.violations[0].field == "parent"
