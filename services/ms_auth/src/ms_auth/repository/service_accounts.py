"""Service accounts in the `service_accounts` table (scopes as a JSON list)."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.service_accounts import ServiceAccount
from .tables import service_accounts
from .upsert import upsert


class SqlServiceAccountRepository:
    """Maps service accounts to rows within one session."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, account_id: str) -> ServiceAccount | None:
        statement = select(service_accounts).where(service_accounts.c.id == account_id)
        row = (await self._session.execute(statement)).one_or_none()
        if row is None:
            return None
        return ServiceAccount(
            id=row.id,
            display_name=row.display_name,
            scopes=tuple(json.loads(row.scopes)),
            secret_hash=row.secret_hash,
            create_time=row.create_time,
        )

    async def save(self, account: ServiceAccount) -> None:
        await upsert(
            self._session,
            service_accounts,
            {
                "id": account.id,
                "display_name": account.display_name,
                "scopes": json.dumps(list(account.scopes)),
                "secret_hash": account.secret_hash,
                "create_time": account.create_time,
            },
        )
