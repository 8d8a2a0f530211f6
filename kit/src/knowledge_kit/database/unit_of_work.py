"""A unit of work: one session, one transaction, committed explicitly or rolled back."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker


class UnitOfWork:
    """`async with UnitOfWork(sessions) as uow: ...; await uow.commit()`.

    Leaving the block without `commit()` (or by an exception) rolls everything back, including
    outbox events recorded in it. Subclass to attach a service's repositories in `on_begin`.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._session: AsyncSession | None = None

    @property
    def session(self) -> AsyncSession:
        """The session of the open unit of work."""
        if self._session is None:
            raise RuntimeError("the unit of work is not open: use `async with uow:`")
        return self._session

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        self._session = self._sessions()
        await self._session.begin()
        self.on_begin(self._session)
        return self

    def on_begin(self, session: AsyncSession) -> None:
        """Hook for subclasses: build repositories on `session`."""

    async def commit(self) -> None:
        """Commit the state changes and outbox events together."""
        await self.session.commit()

    async def rollback(self) -> None:
        """Discard everything done in this unit of work."""
        await self.session.rollback()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        session, self._session = self.session, None
        try:
            if session.in_transaction():
                await session.rollback()
        finally:
            await session.close()
