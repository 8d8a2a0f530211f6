"""Spaces and memberships kept in the service's database."""

from __future__ import annotations

from typing import Any

from knowledge_kit.errors import AlreadyExistsError
from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.roles import SpaceRole
from ..domain.spaces import Space, SpaceMember
from .tables import space_members, spaces

# The reads every use case starts with (the caller's membership, the space), built once: each
# request built them anew and SQLAlchemy then derived their cache keys again.
_SPACE_NAMED = select(spaces).where(spaces.c.name == bindparam("name"))
_MEMBER_OF = select(space_members).where(
    space_members.c.space == bindparam("space"), space_members.c.user == bindparam("user")
)


class SqlSpaceRepository:
    """Maps spaces to rows of `spaces` within one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, space: Space) -> None:
        try:
            async with self._session.begin_nested():
                await self._session.execute(insert(spaces).values(**_space_row(space)))
        except IntegrityError:
            raise AlreadyExistsError(f"{space.name} already exists") from None

    async def get(self, name: str) -> Space | None:
        row = (await self._session.execute(_SPACE_NAMED, {"name": name})).first()
        return _space(row) if row is not None else None

    async def list_for_member(self, user: str, *, offset: int, limit: int) -> list[Space]:
        rows = await self._session.execute(
            select(spaces)
            .join(space_members, space_members.c.space == spaces.c.name)
            .where(space_members.c.user == user)
            .order_by(func.lower(spaces.c.display_name), spaces.c.name)
            .offset(offset)
            .limit(limit)
        )
        return [_space(row) for row in rows]

    async def replace(self, space: Space, *, expected_etag: str) -> bool:
        result = await self._session.execute(
            update(spaces)
            .where(spaces.c.name == space.name, spaces.c.etag == expected_etag)
            .values(**_space_row(space))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def remove(self, name: str) -> None:
        # Members, documents and versions go with it (ON DELETE CASCADE).
        await self._session.execute(delete(spaces).where(spaces.c.name == name))


class SqlMemberRepository:
    """Maps memberships to rows of `space_members` within one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, member: SpaceMember) -> None:
        try:
            async with self._session.begin_nested():
                await self._session.execute(
                    insert(space_members).values(
                        space=member.space,
                        user=member.user,
                        role=int(member.role),
                        create_time=member.create_time,
                        invited_by=member.invited_by,
                    )
                )
        except IntegrityError:
            raise AlreadyExistsError(
                f"{member.user} is already a member of {member.space}"
            ) from None

    async def get(self, space: str, user: str) -> SpaceMember | None:
        row = (await self._session.execute(_MEMBER_OF, {"space": space, "user": user})).first()
        return _member(row) if row is not None else None

    async def list_in_space(self, space: str, *, offset: int, limit: int) -> list[SpaceMember]:
        rows = await self._session.execute(
            select(space_members)
            .where(space_members.c.space == space)
            .order_by(space_members.c.role.desc(), space_members.c.user)
            .offset(offset)
            .limit(limit)
        )
        return [_member(row) for row in rows]

    async def change_role(self, space: str, user: str, role: SpaceRole) -> None:
        await self._session.execute(
            update(space_members)
            .where(space_members.c.space == space, space_members.c.user == user)
            .values(role=int(role))
        )

    async def remove(self, space: str, user: str) -> None:
        await self._session.execute(
            delete(space_members).where(
                space_members.c.space == space, space_members.c.user == user
            )
        )

    async def count_owners(self, space: str) -> int:
        count = await self._session.scalar(
            select(func.count()).where(
                space_members.c.space == space, space_members.c.role == int(SpaceRole.OWNER)
            )
        )
        return int(count or 0)


def _space_row(space: Space) -> dict[str, Any]:
    return {
        "name": space.name,
        "display_name": space.display_name,
        "description": space.description,
        "create_time": space.create_time,
        "update_time": space.update_time,
        "etag": space.etag,
    }


def _space(row: Any) -> Space:
    return Space(
        name=row.name,
        display_name=row.display_name,
        description=row.description,
        create_time=row.create_time,
        update_time=row.update_time,
        etag=row.etag,
    )


def _member(row: Any) -> SpaceMember:
    return SpaceMember(
        space=row.space,
        user=row.user,
        role=SpaceRole(row.role),
        create_time=row.create_time,
        invited_by=row.invited_by,
    )
