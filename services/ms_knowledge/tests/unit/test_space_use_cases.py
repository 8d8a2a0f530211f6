"""Spaces: create, read, list page by page, update through a field mask, delete."""

from __future__ import annotations

import pytest
from knowledge_kit.errors import (
    AlreadyExistsError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)

from ms_knowledge.domain.events import SpaceCreated, SpaceDeleted, SpaceUpdated
from ms_knowledge.domain.roles import SpaceRole
from ms_knowledge.service.spaces import SpaceChanges

from .conftest import OWNER, STRANGER, VIEWER, Knowledge


async def test_the_creator_owns_a_new_space_and_an_event_says_so(knowledge: Knowledge) -> None:
    space = await knowledge.spaces.create_space(
        OWNER, space_id="team-notes", display_name="  Team notes ", description="Ours"
    )

    assert space.name == "spaces/team-notes"
    assert space.display_name == "Team notes"
    member = knowledge.store.state.members[(space.name, OWNER)]
    assert member.role is SpaceRole.OWNER
    assert knowledge.store.state.events == [SpaceCreated(space, creator=OWNER)]
    assert await knowledge.spaces.get_space(OWNER, space.name) == space


async def test_a_space_without_a_chosen_id_gets_a_generated_one(knowledge: Knowledge) -> None:
    first = await knowledge.spaces.create_space(
        OWNER, space_id="", display_name="A", description=""
    )
    second = await knowledge.spaces.create_space(
        OWNER, space_id="", display_name="B", description=""
    )

    assert first.name.startswith("spaces/") and first.name != second.name


@pytest.mark.parametrize(
    ("space_id", "display_name", "field"),
    [
        ("Bad_Id", "Fine", "space_id"),
        ("fine", "   ", "space.display_name"),
        ("fine", "x" * 201, "space.display_name"),
    ],
)
async def test_bad_input_is_refused_naming_the_field(
    knowledge: Knowledge, space_id: str, display_name: str, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        await knowledge.spaces.create_space(
            OWNER, space_id=space_id, display_name=display_name, description=""
        )

    assert [violation.field for violation in refused.value.violations] == [field]
    assert knowledge.store.state.spaces == {}


async def test_a_taken_space_id_is_refused(knowledge: Knowledge) -> None:
    await knowledge.spaces.create_space(OWNER, space_id="one", display_name="One", description="")

    with pytest.raises(AlreadyExistsError):
        await knowledge.spaces.create_space(
            STRANGER, space_id="one", display_name="Mine", description=""
        )


async def test_service_accounts_cannot_own_spaces(knowledge: Knowledge) -> None:
    with pytest.raises(PermissionDeniedError):
        await knowledge.spaces.create_space(
            "serviceAccounts/indexer", space_id="", display_name="Index", description=""
        )


async def test_list_shows_only_the_callers_spaces_by_display_name_page_by_page(
    knowledge: Knowledge,
) -> None:
    for display_name in ("Delta", "alpha", "Charlie", "Bravo", "Echo"):
        await knowledge.spaces.create_space(
            OWNER, space_id="", display_name=display_name, description=""
        )
    await knowledge.spaces.create_space(STRANGER, space_id="", display_name="Aaa", description="")

    seen: list[str] = []
    token = ""
    pages = 0
    while True:
        page = await knowledge.spaces.list_spaces(OWNER, 2, token)
        seen += [space.display_name for space in page.items]
        pages += 1
        token = page.next_page_token
        if not token:
            break

    assert seen == ["alpha", "Bravo", "Charlie", "Delta", "Echo"]
    assert pages == 3


async def test_a_page_token_only_continues_its_own_listing(knowledge: Knowledge) -> None:
    for display_name in ("A", "B"):
        await knowledge.spaces.create_space(
            OWNER, space_id="", display_name=display_name, description=""
        )
    token = (await knowledge.spaces.list_spaces(OWNER, 1, "")).next_page_token

    with pytest.raises(ValidationError) as refused:
        await knowledge.spaces.list_spaces(STRANGER, 1, token)
    assert refused.value.violations[0].field == "page_token"
    with pytest.raises(ValidationError) as negative:
        await knowledge.spaces.list_spaces(OWNER, -1, "")
    assert negative.value.violations[0].field == "page_size"


async def test_update_changes_only_the_masked_fields_and_the_etag(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()

    updated = await knowledge.spaces.update_space(
        OWNER,
        space.name,
        SpaceChanges({"description"}, display_name="ignored", description="New words"),
        etag=space.etag,
    )

    assert (updated.display_name, updated.description) == ("Handbook", "New words")
    assert updated.etag != space.etag
    assert knowledge.store.state.events[-1] == SpaceUpdated(
        updated, changed_fields=("description",), updated_by=OWNER
    )


async def test_update_with_a_stale_etag_is_aborted_and_changes_nothing(
    knowledge: Knowledge,
) -> None:
    space = await knowledge.space_with_members()
    await knowledge.spaces.update_space(
        OWNER, space.name, SpaceChanges({"display_name"}, display_name="First"), etag=space.etag
    )

    with pytest.raises(ConflictError):
        await knowledge.spaces.update_space(
            OWNER,
            space.name,
            SpaceChanges({"display_name"}, display_name="Second"),
            etag=space.etag,
        )
    assert (await knowledge.spaces.get_space(OWNER, space.name)).display_name == "First"


async def test_delete_removes_the_space_for_everyone(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()
    await knowledge.document(space)

    await knowledge.spaces.delete_space(OWNER, space.name, etag=space.etag)

    assert knowledge.store.state.events[-1] == SpaceDeleted(space.name, deleted_by=OWNER)
    assert knowledge.store.state.documents == {}
    for caller in (OWNER, VIEWER):
        with pytest.raises(NotFoundError):
            await knowledge.spaces.get_space(caller, space.name)
    assert (await knowledge.spaces.list_spaces(VIEWER, 0, "")).items == []


async def test_delete_with_a_stale_etag_is_aborted(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()

    with pytest.raises(ConflictError):
        await knowledge.spaces.delete_space(OWNER, space.name, etag="not-the-etag")
    assert space.name in knowledge.store.state.spaces
