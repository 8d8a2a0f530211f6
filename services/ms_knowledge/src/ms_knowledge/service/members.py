"""Use cases on memberships: invite, change a role, remove, list."""

from __future__ import annotations

from knowledge_kit.api import Page
from knowledge_kit.errors import (
    AlreadyExistsError,
    DomainError,
    FieldViolation,
    NotFoundError,
    ValidationError,
)

from ..domain.events import SpaceMemberAdded, SpaceMemberRemoved
from ..domain.names import MemberName, checked_space_name, checked_user_name
from ..domain.roles import SpaceAction, SpaceRole
from ..domain.spaces import SpaceMember
from ..domain.unit_of_work import KnowledgeUnitOfWork
from .access import existing_space, require_role, space_not_found
from .use_cases import ListingUseCases


class LastOwnerError(DomainError):
    """The change would leave the space without an owner (FAILED_PRECONDITION)."""


class MemberUseCases(ListingUseCases):
    """Who belongs to a space; owners manage members, members may leave."""

    async def invite_member(
        self, caller: str, parent: str, user: str, role: SpaceRole | None
    ) -> SpaceMember:
        """Add `user` with `role`; owners only, ALREADY_EXISTS for a current member."""
        checked_space_name(parent, "parent")
        checked_user_name(user, "user")
        role = _checked_role(role)
        async with self._unit_of_work() as work:
            await require_role(work, parent, caller, SpaceAction.MANAGE_MEMBERS)
            space = await existing_space(work, parent)
            if await work.members.get(parent, user) is not None:
                raise AlreadyExistsError(f"{user} is already a member of {parent}")
            member = SpaceMember(parent, user, role, self._clock(), invited_by=caller)
            await work.members.add(member)
            await work.record(SpaceMemberAdded(space, user, role, added_by=caller))
            await work.commit()
        return member

    async def change_role(self, caller: str, name: str, role: SpaceRole | None) -> SpaceMember:
        """Give a member another role; owners only, never leaving the space without an owner."""
        member_name = MemberName.parse(name, "name")
        role = _checked_role(role)
        async with self._unit_of_work() as work:
            await require_role(work, member_name.space, caller, SpaceAction.MANAGE_MEMBERS)
            space = await existing_space(work, member_name.space)
            member = await _member(work, member_name)
            if member.role == role:
                return member
            if member.role is SpaceRole.OWNER:
                await _keep_an_owner(work, member_name.space)
            await work.members.change_role(member.space, member.user, role)
            await work.record(SpaceMemberAdded(space, member.user, role, added_by=caller))
            await work.commit()
        return SpaceMember(member.space, member.user, role, member.create_time, member.invited_by)

    async def remove_member(self, caller: str, name: str) -> None:
        """Remove a member: owners remove anyone, any member removes themselves."""
        member_name = MemberName.parse(name, "name")
        async with self._unit_of_work() as work:
            if member_name.user != caller:
                await require_role(work, member_name.space, caller, SpaceAction.MANAGE_MEMBERS)
            elif await work.members.get(member_name.space, caller) is None:
                raise space_not_found(member_name.space)
            member = await _member(work, member_name)
            if member.role is SpaceRole.OWNER:
                await _keep_an_owner(work, member_name.space)
            await work.members.remove(member.space, member.user)
            await work.record(SpaceMemberRemoved(member.space, member.user, removed_by=caller))
            await work.commit()
        self._feed.revoke_member(member_name.space, member_name.user)

    async def list_members(
        self, caller: str, parent: str, page_size: int, page_token: str
    ) -> Page[SpaceMember]:
        """Members of a space, owners first; any member may look."""
        checked_space_name(parent, "parent")
        request = self._pages.request(page_size, page_token, listing=(parent,))
        async with self._unit_of_work() as work:
            await require_role(work, parent, caller, SpaceAction.LIST_MEMBERS)
            fetched = await work.members.list_in_space(
                parent, offset=request.offset, limit=request.fetch_limit
            )
        return request.page_at_offset(fetched)


def _checked_role(role: SpaceRole | None) -> SpaceRole:
    if role is None:
        raise ValidationError(
            "a member needs a role", [FieldViolation("role", "must be viewer, editor or owner")]
        )
    return role


async def _member(work: KnowledgeUnitOfWork, name: MemberName) -> SpaceMember:
    member = await work.members.get(name.space, name.user)
    if member is None:
        raise NotFoundError(f"{MemberName.format(name.space, name.user)} does not exist")
    return member


async def _keep_an_owner(work: KnowledgeUnitOfWork, space: str) -> None:
    if await work.members.count_owners(space) <= 1:
        raise LastOwnerError(f"{space} must keep at least one owner")
