"""How the use cases open transactions, and retry the few that lose a race."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from knowledge_kit.errors import ConflictError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..repository.work import MlWork

T = TypeVar("T")

# A use case that lost a race to a concurrent one (a unique constraint, a row another
# transaction changed) runs again on the state that won, up to this many times.
ATTEMPTS = 100


class Lost(Exception):
    """A conditional write found the row changed by a concurrent transaction: run again."""


class Transactions:
    """Units of work on the service's database."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions

    def __call__(self) -> MlWork:
        return MlWork(self.sessions)

    async def retrying(self, attempt: Callable[[], Awaitable[T]], *, what: str) -> T:
        """`attempt()` again while it loses races, each time in a fresh transaction."""
        for tries in range(ATTEMPTS):
            try:
                return await attempt()
            except (IntegrityError, Lost):
                await asyncio.sleep(min(0.001 * tries, 0.02))
        raise ConflictError(f"{what} kept changing concurrently; try again")
