"""What the service knows of users (auth.users.v1) and models (ml.models.v1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from .rows import chunks
from .tables import model_owners, users


@dataclass(frozen=True, slots=True)
class Account:
    user: str
    email: str
    display_name: str


@dataclass(frozen=True, slots=True)
class ModelOwner:
    model: str
    owner: str
    display_name: str


class SqlDirectory:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def save_account(self, account: Account) -> None:
        await self._session.execute(delete(users).where(users.c.user == account.user))
        await self._session.execute(
            insert(users).values(
                user=account.user, email=account.email, display_name=account.display_name
            )
        )

    async def accounts(self, names: Sequence[str]) -> dict[str, Account]:
        found: dict[str, Account] = {}
        for some in chunks(sorted(set(names))):
            rows = await self._session.execute(select(users).where(users.c.user.in_(some)))
            for row in rows:
                found[row.user] = Account(row.user, row.email, row.display_name)
        return found

    async def account(self, name: str) -> Account | None:
        return (await self.accounts([name])).get(name)

    async def save_model(self, owner: ModelOwner) -> None:
        await self._session.execute(delete(model_owners).where(model_owners.c.model == owner.model))
        await self._session.execute(
            insert(model_owners).values(
                model=owner.model, owner=owner.owner, display_name=owner.display_name
            )
        )

    async def model(self, model: str) -> ModelOwner | None:
        row = (
            await self._session.execute(select(model_owners).where(model_owners.c.model == model))
        ).first()
        return None if row is None else ModelOwner(row.model, row.owner, row.display_name)
