"""Roles inside a space and the permission matrix every use case checks."""

from __future__ import annotations

from enum import Enum, IntEnum


class SpaceRole(IntEnum):
    """What a member may do in one space; each role can do everything the lower ones can."""

    VIEWER = 1
    EDITOR = 2
    OWNER = 3


class SpaceAction(Enum):
    """Everything a use case can do inside a space."""

    READ_SPACE = "read the space"
    UPDATE_SPACE = "update the space"
    DELETE_SPACE = "delete the space"
    LIST_MEMBERS = "list the space's members"
    MANAGE_MEMBERS = "manage the space's members"
    READ_DOCUMENTS = "read documents"
    WRITE_DOCUMENTS = "create, edit or delete documents"


# The least role that may perform each action.
MINIMUM_ROLE: dict[SpaceAction, SpaceRole] = {
    SpaceAction.READ_SPACE: SpaceRole.VIEWER,
    SpaceAction.LIST_MEMBERS: SpaceRole.VIEWER,
    SpaceAction.READ_DOCUMENTS: SpaceRole.VIEWER,
    SpaceAction.WRITE_DOCUMENTS: SpaceRole.EDITOR,
    SpaceAction.UPDATE_SPACE: SpaceRole.OWNER,
    SpaceAction.DELETE_SPACE: SpaceRole.OWNER,
    SpaceAction.MANAGE_MEMBERS: SpaceRole.OWNER,
}


def role_permits(role: SpaceRole, action: SpaceAction) -> bool:
    """Whether a member with `role` may perform `action`."""
    return role >= MINIMUM_ROLE[action]
