"""Accounts in the `users` table."""

from __future__ import annotations

from typing import Any

from knowledge_kit.errors import AlreadyExistsError
from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.users import PlatformRole, User
from .tables import users


class SqlUserRepository:
    """Maps users to rows within one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, user: User) -> None:
        try:
            await self._session.execute(insert(users).values(**_row(user)))
        except IntegrityError:
            # Two registrations of one email raced; the unique index let exactly one win.
            raise AlreadyExistsError("an account with this email already exists") from None

    async def get(self, user_id: str) -> User | None:
        row = (
            await self._session.execute(select(users).where(users.c.id == user_id))
        ).one_or_none()
        return _user(row) if row is not None else None

    async def get_by_email(self, email: str) -> User | None:
        statement = select(users).where(users.c.email == email)
        row = (await self._session.execute(statement)).one_or_none()
        return _user(row) if row is not None else None

    async def update(self, user: User) -> None:
        await self._session.execute(update(users).where(users.c.id == user.id).values(**_row(user)))

    async def count_with_role(self, role: PlatformRole) -> int:
        statement = select(func.count()).select_from(users).where(users.c.role == role.value)
        return int((await self._session.execute(statement)).scalar_one())

    async def list_by_email(self, *, after_email: str | None, limit: int) -> list[User]:
        statement = select(users).order_by(users.c.email).limit(limit)
        if after_email is not None:
            statement = statement.where(users.c.email > after_email)
        return [_user(row) for row in await self._session.execute(statement)]


def _row(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "role": user.role.value,
        "password_hash": user.password_hash,
        "create_time": user.create_time,
        "update_time": user.update_time,
    }


def _user(row: Any) -> User:
    return User(
        id=row.id,
        email=row.email,
        display_name=row.display_name,
        role=PlatformRole(row.role),
        password_hash=row.password_hash,
        create_time=row.create_time,
        update_time=row.update_time,
    )
