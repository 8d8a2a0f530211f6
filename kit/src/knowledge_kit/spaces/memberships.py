"""Reading and changing the projection, on the caller's session (and so its transaction)."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import IntEnum

from sqlalchemy import bindparam, delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge_kit.spaces.tables import space_memberships

# The reads of every request that asks who may see a space, built once with bound parameters:
# built per request, SQLAlchemy also derived each one's cache key again (about 60 us a statement).
_SPACES_OF = select(space_memberships.c.space).where(
    space_memberships.c.member == bindparam("user")
)
_ROLE_OF = select(space_memberships.c.role).where(
    space_memberships.c.space == bindparam("space"), space_memberships.c.member == bindparam("user")
)
_MEMBERS_OF = select(space_memberships.c.member, space_memberships.c.role).where(
    space_memberships.c.space == bindparam("space")
)


class MemberRole(IntEnum):
    """knowledge.knowledge.v1.SpaceRole's values: each role may do what the ones below may."""

    VIEWER = 1
    EDITOR = 2
    OWNER = 3


class SpaceMemberships:
    """The memberships this service has applied from knowledge.spaces.v1."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def readable_spaces(self, user: str) -> frozenset[str]:
        """Every space `user` is a member of (any role reads)."""
        rows = await self._session.execute(_SPACES_OF, {"user": user})
        return frozenset(rows.scalars())

    async def role_of(self, space: str, user: str) -> MemberRole | None:
        """`user`'s role in `space`, None when not a member (or no such space)."""
        role = await self._session.scalar(_ROLE_OF, {"space": space, "user": user})
        return None if role is None else MemberRole(role)

    async def members_of(self, space: str) -> dict[str, MemberRole]:
        """Every member of `space` with their role."""
        rows = await self._session.execute(_MEMBERS_OF, {"space": space})
        return {member: MemberRole(role) for member, role in rows.tuples()}

    async def set_role(self, space: str, user: str, role: MemberRole) -> None:
        """Make `user` a member of `space` with `role` (replacing an earlier role)."""
        await self.remove(space, user)
        await self._session.execute(
            insert(space_memberships).values(
                space=space, member=user, role=int(role), changed_at=datetime.now(UTC)
            )
        )

    async def remove(self, space: str, user: str) -> None:
        await self._session.execute(
            delete(space_memberships).where(
                space_memberships.c.space == space, space_memberships.c.member == user
            )
        )

    async def remove_space(self, space: str) -> None:
        """Forget every membership of a deleted space."""
        await self._session.execute(
            delete(space_memberships).where(space_memberships.c.space == space)
        )
