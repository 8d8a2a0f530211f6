"""knowledge.spaces.v1 applied to the projection, in the consumer's transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from google.protobuf.message import Message
from knowledge.knowledge.v1.events_pb2 import (
    SpaceCreated,
    SpaceDeleted,
    SpaceMemberAdded,
    SpaceMemberRemoved,
)

from knowledge_kit.errors import ValidationError
from knowledge_kit.events.consumer import ConsumedEvent, EventHandler
from knowledge_kit.spaces.memberships import MemberRole, SpaceMemberships

SpaceDeletedHook = Callable[[ConsumedEvent, str], Awaitable[None]]
"""Called with the event and the space's name after its memberships are gone, in the same
transaction: a service removes what it keeps of the space there."""

_USER_PREFIX = "users/"


def space_membership_handlers(
    on_space_deleted: SpaceDeletedHook | None = None,
) -> Mapping[type[Message], EventHandler]:
    """Handlers for SpaceCreated (the creator is the first owner), SpaceMemberAdded (a member
    or a new role), SpaceMemberRemoved and SpaceDeleted. A record naming no space or user, or
    an unknown role, raises ValidationError, so the consumer dead-letters it."""

    async def created(event: ConsumedEvent) -> None:
        payload: SpaceCreated = event.payload
        space = _required(payload.space, "space")
        creator = payload.creator.name
        if creator.startswith(_USER_PREFIX):
            await SpaceMemberships(event.session).set_role(space, creator, MemberRole.OWNER)

    async def member_added(event: ConsumedEvent) -> None:
        payload: SpaceMemberAdded = event.payload
        space = _required(payload.space, "space")
        user = _required(payload.user, "user")
        try:
            role = MemberRole(payload.role)
        except ValueError:
            raise ValidationError(
                f"SpaceMemberAdded for {space} has unknown role {payload.role}"
            ) from None
        await SpaceMemberships(event.session).set_role(space, user, role)

    async def member_removed(event: ConsumedEvent) -> None:
        payload: SpaceMemberRemoved = event.payload
        space = _required(payload.space, "space")
        await SpaceMemberships(event.session).remove(space, _required(payload.user, "user"))

    async def deleted(event: ConsumedEvent) -> None:
        payload: SpaceDeleted = event.payload
        space = _required(payload.space, "space")
        await SpaceMemberships(event.session).remove_space(space)
        if on_space_deleted is not None:
            await on_space_deleted(event, space)

    return {
        SpaceCreated: created,
        SpaceMemberAdded: member_added,
        SpaceMemberRemoved: member_removed,
        SpaceDeleted: deleted,
    }


def _required(value: str, field: str) -> str:
    if not value:
        raise ValidationError(f"the event names no {field}")
    return value
