"""Accounts: a user, its platform role, and where users are kept."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from knowledge_kit.api import ResourcePattern

# Every account id is generated (32 hex digits), so a name with another id names no account.
GENERATED_ID = "[0-9a-f]{32}"
USER_NAME = ResourcePattern("users/{user}", user=GENERATED_ID)
OWN_USER_NAME = "users/me"


class PlatformRole(StrEnum):
    """What a user may do across the whole platform; the value is the token's role name."""

    MEMBER = "member"
    ADMIN = "admin"


@dataclass(slots=True)
class User:
    """A person's account, named `users/{id}`; the email is stored lower-cased."""

    id: str
    email: str
    display_name: str
    role: PlatformRole
    password_hash: str
    create_time: datetime
    update_time: datetime

    @property
    def name(self) -> str:
        return f"users/{self.id}"

    @classmethod
    def register(
        cls,
        *,
        email: str,
        display_name: str,
        password_hash: str,
        role: PlatformRole,
        now: datetime,
    ) -> User:
        """A new account with a fresh id."""
        return cls(
            id=uuid.uuid4().hex,
            email=email,
            display_name=display_name,
            role=role,
            password_hash=password_hash,
            create_time=now,
            update_time=now,
        )

    def change_role(self, role: PlatformRole, now: datetime) -> PlatformRole:
        """Give the user `role`; returns the role it had before."""
        previous, self.role = self.role, role
        if previous is not role:
            self.update_time = now
        return previous


def user_id_of(name: str, field: str = "name") -> str:
    """The id in `users/{id}`, or a ValidationError naming `field`."""
    return USER_NAME.parse(name, field)["user"]


class UserRepository(Protocol):
    """Where accounts are kept."""

    async def add(self, user: User) -> None: ...

    async def get(self, user_id: str) -> User | None: ...

    async def get_by_email(self, email: str) -> User | None: ...

    async def update(self, user: User) -> None: ...

    async def count_with_role(self, role: PlatformRole) -> int: ...

    async def list_by_email(self, *, after_email: str | None, limit: int) -> list[User]:
        """Users ordered by email, starting after `after_email`."""
        ...
