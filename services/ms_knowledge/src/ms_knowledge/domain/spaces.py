"""Spaces and their members: the entities, their rules, and where they are kept."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Protocol

from knowledge_kit.api import new_etag

from .names import MemberName
from .roles import SpaceRole
from .text import checked_label, checked_length

DISPLAY_NAME_MAX_LENGTH = 200
DESCRIPTION_MAX_LENGTH = 2000


def checked_display_name(value: str, field: str) -> str:
    """A space's display name: present, one line, at most 200 characters (stripped)."""
    return checked_label(value, field, what="display name", max_length=DISPLAY_NAME_MAX_LENGTH)


def checked_description(value: str, field: str) -> str:
    """A space's description: at most 2000 characters."""
    return checked_length(value, field, what="description", max_length=DESCRIPTION_MAX_LENGTH)


@dataclass(frozen=True, slots=True)
class Space:
    """A shared collection of documents, named spaces/{space}."""

    name: str
    display_name: str
    description: str
    create_time: datetime
    update_time: datetime
    etag: str

    def changed(self, *, display_name: str, description: str, at: datetime) -> Space:
        """This space with new values, a new etag and update time."""
        return replace(
            self,
            display_name=display_name,
            description=description,
            update_time=at,
            etag=new_etag(),
        )


@dataclass(frozen=True, slots=True)
class SpaceMember:
    """One user's membership of a space."""

    space: str
    user: str
    role: SpaceRole
    create_time: datetime
    invited_by: str

    @property
    def name(self) -> str:
        """spaces/{space}/members/{user}."""
        return MemberName.format(self.space, self.user)


class SpaceRepository(Protocol):
    """Where spaces are kept."""

    async def add(self, space: Space) -> None:
        """Store a new space; AlreadyExistsError when its name is taken."""
        ...

    async def get(self, name: str) -> Space | None: ...

    async def list_for_member(self, user: str, *, offset: int, limit: int) -> list[Space]:
        """Spaces `user` belongs to, by display name (case-insensitive) then name."""
        ...

    async def replace(self, space: Space, *, expected_etag: str) -> bool:
        """Store `space` if the stored one still has `expected_etag`; False when it changed."""
        ...

    async def remove(self, name: str) -> None:
        """Delete the space with its members, documents and versions."""
        ...


class MemberRepository(Protocol):
    """Who belongs to which space, with which role."""

    async def add(self, member: SpaceMember) -> None: ...

    async def get(self, space: str, user: str) -> SpaceMember | None: ...

    async def list_in_space(self, space: str, *, offset: int, limit: int) -> list[SpaceMember]:
        """Members of `space`, owners first, then by user name."""
        ...

    async def change_role(self, space: str, user: str, role: SpaceRole) -> None: ...

    async def remove(self, space: str, user: str) -> None: ...

    async def count_owners(self, space: str) -> int: ...
