"""May the caller act on a space? Answered from the memberships knowledge.spaces.v1 delivered."""

from __future__ import annotations

from knowledge_kit.errors import NotFoundError, PermissionDeniedError
from knowledge_kit.spaces import MemberRole, SpaceMemberships


async def require_role(
    memberships: SpaceMemberships, space: str, caller: str, least: MemberRole, *, what: str
) -> MemberRole:
    """The caller's role in `space` if it is `least` or higher. NOT_FOUND for a non-member
    (as for a space that does not exist), PERMISSION_DENIED for a role too low."""
    role = await memberships.role_of(space, caller)
    if role is None:
        raise NotFoundError(f"{what} does not exist")
    if role < least:
        raise PermissionDeniedError(
            f"{role.name.lower()}s of {space} may not do this; {least.name.lower()}s and above may"
        )
    return role
