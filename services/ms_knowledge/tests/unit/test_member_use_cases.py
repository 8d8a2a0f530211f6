"""Memberships: owners invite, change roles and remove; members may leave; a space keeps an owner."""

from __future__ import annotations

import pytest
from knowledge_kit.errors import AlreadyExistsError, NotFoundError, ValidationError

from ms_knowledge.domain.events import SpaceMemberAdded, SpaceMemberRemoved
from ms_knowledge.domain.roles import SpaceRole
from ms_knowledge.service.members import LastOwnerError

from .conftest import EDITOR, OWNER, STRANGER, VIEWER, Knowledge


async def test_an_invited_user_can_read_the_space(knowledge: Knowledge) -> None:
    space = await knowledge.spaces.create_space(
        OWNER, space_id="s", display_name="S", description=""
    )

    member = await knowledge.members.invite_member(OWNER, space.name, VIEWER, SpaceRole.VIEWER)

    assert (member.name, member.role, member.invited_by) == (
        "spaces/s/members/vera",
        SpaceRole.VIEWER,
        OWNER,
    )
    assert knowledge.store.state.events[-1] == SpaceMemberAdded(
        space, VIEWER, SpaceRole.VIEWER, added_by=OWNER
    )
    assert await knowledge.spaces.get_space(VIEWER, space.name) == space


async def test_inviting_a_current_member_is_refused(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()

    with pytest.raises(AlreadyExistsError):
        await knowledge.members.invite_member(OWNER, space.name, VIEWER, SpaceRole.EDITOR)


@pytest.mark.parametrize(
    ("user", "role", "field"),
    [("vera", SpaceRole.VIEWER, "user"), ("users/x", None, "role")],
)
async def test_bad_invitations_are_refused_naming_the_field(
    knowledge: Knowledge, user: str, role: SpaceRole | None, field: str
) -> None:
    space = await knowledge.space_with_members()

    with pytest.raises(ValidationError) as refused:
        await knowledge.members.invite_member(OWNER, space.name, user, role)
    assert refused.value.violations[0].field == field


async def test_members_are_listed_owners_first(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()

    page = await knowledge.members.list_members(VIEWER, space.name, 0, "")

    assert [(m.user, m.role) for m in page.items] == [
        (OWNER, SpaceRole.OWNER),
        (EDITOR, SpaceRole.EDITOR),
        (VIEWER, SpaceRole.VIEWER),
    ]


async def test_a_role_change_takes_effect_and_is_announced(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()

    changed = await knowledge.members.change_role(
        OWNER, f"{space.name}/members/vera", SpaceRole.EDITOR
    )

    assert changed.role is SpaceRole.EDITOR
    assert knowledge.store.state.members[(space.name, VIEWER)].role is SpaceRole.EDITOR
    assert knowledge.store.state.events[-1] == SpaceMemberAdded(
        space, VIEWER, SpaceRole.EDITOR, added_by=OWNER
    )


async def test_the_last_owner_can_neither_step_down_nor_leave(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()
    owner_name = f"{space.name}/members/olivia"

    with pytest.raises(LastOwnerError):
        await knowledge.members.change_role(OWNER, owner_name, SpaceRole.EDITOR)
    with pytest.raises(LastOwnerError):
        await knowledge.members.remove_member(OWNER, owner_name)

    await knowledge.members.change_role(OWNER, f"{space.name}/members/eddie", SpaceRole.OWNER)
    await knowledge.members.remove_member(OWNER, owner_name)
    assert (space.name, OWNER) not in knowledge.store.state.members


async def test_a_member_may_leave_and_then_sees_nothing(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()

    await knowledge.members.remove_member(VIEWER, f"{space.name}/members/vera")

    assert knowledge.store.state.events[-1] == SpaceMemberRemoved(
        space.name, VIEWER, removed_by=VIEWER
    )
    with pytest.raises(NotFoundError):
        await knowledge.spaces.get_space(VIEWER, space.name)


async def test_removing_someone_who_is_not_a_member_is_not_found(knowledge: Knowledge) -> None:
    space = await knowledge.space_with_members()

    with pytest.raises(NotFoundError):
        await knowledge.members.remove_member(OWNER, f"{space.name}/members/sam")
    with pytest.raises(NotFoundError):
        await knowledge.members.remove_member(STRANGER, f"{space.name}/members/sam")
