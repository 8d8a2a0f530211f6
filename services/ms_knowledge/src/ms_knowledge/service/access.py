"""Every use case starts here: is the caller a member of the space, with a role that may act?"""

from __future__ import annotations

from knowledge_kit.errors import NotFoundError, PermissionDeniedError

from ..domain.roles import SpaceAction, role_permits
from ..domain.spaces import Space, SpaceMember
from ..domain.unit_of_work import KnowledgeUnitOfWork


def space_not_found(space: str) -> NotFoundError:
    """The one answer for a space that does not exist and for one the caller is not in, so
    that non-members learn nothing about other people's spaces."""
    return NotFoundError(f"{space} does not exist")


async def require_role(
    work: KnowledgeUnitOfWork, space: str, caller: str, action: SpaceAction
) -> SpaceMember:
    """The caller's membership of `space` if its role permits `action`.

    NOT_FOUND when the caller is not a member; PERMISSION_DENIED when the role is too low.
    """
    member = await work.members.get(space, caller)
    if member is None:
        raise space_not_found(space)
    if not role_permits(member.role, action):
        raise PermissionDeniedError(
            f"{member.role.name.lower()}s of {space} may not {action.value}"
        )
    return member


async def existing_space(work: KnowledgeUnitOfWork, name: str) -> Space:
    """The space named `name`, or NOT_FOUND."""
    space = await work.spaces.get(name)
    if space is None:
        raise space_not_found(name)
    return space
