"""Erasure on request: the operation is recorded at once and the store's deletion runs in the
background on whichever instance looks first, so a restart mid-way resumes it. While the store
cannot be reached the erasure stays running and is tried again; any other failure ends it as
FAILED (asking again erases what is left)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from knowledge_kit.aio import first_set
from knowledge_kit.api import Clock, new_resource_id, utc_now
from knowledge_kit.auth import Principal
from knowledge_kit.errors import NotFoundError, PermissionDeniedError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..domain.erasures import Erasure, ErasureState
from ..domain.names import ERASURE, USER
from ..repository.erasures import SqlErasures
from ..store import ActivityStore
from .access import is_admin

log = logging.getLogger(__name__)
BATCH = 10


class Erasures:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        store: ActivityStore,
        *,
        before: Callable[[], Awaitable[None]] | None = None,
        poll_seconds: float = 5.0,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._store = store
        self._before = before
        self._poll_seconds = poll_seconds
        self._clock = clock
        self._asked = asyncio.Event()

    async def erase(self, principal: Principal, user: str, display_name: str = "") -> Erasure:
        """Start erasing `user`'s activities; the user themselves or an administrator."""
        USER.check(user, "user")
        _may_erase(principal, user)
        erasure = Erasure(
            id=new_resource_id(),
            user=user,
            state=ErasureState.RUNNING,
            erased_count=0,
            error="",
            requested_by=principal.name,
            requested_by_display_name=display_name,
            create_time=self._clock(),
            end_time=None,
        )
        async with self._sessions() as session, session.begin():
            await SqlErasures(session).add(erasure)
        self._asked.set()
        return erasure

    async def get(self, principal: Principal, name: str) -> Erasure:
        """An erasure as it stands; the user erased or an administrator."""
        ids = ERASURE.parse(name, "name")
        user = f"users/{ids['user']}"
        _may_erase(principal, user)
        async with self._sessions() as session:
            erasure = await SqlErasures(session).get(user, ids["erasure"])
        if erasure is None:
            raise NotFoundError(f"{name} does not exist")
        return erasure

    async def run(self, stop: asyncio.Event) -> None:
        """Carry out running erasures until `stop` is set."""
        while not stop.is_set():
            self._asked.clear()
            async with self._sessions() as session:
                running = await SqlErasures(session).running(BATCH)
            for erasure in running:
                await self.carry_out(erasure)
            await first_set(stop, self._asked, seconds=self._poll_seconds)

    async def carry_out(self, erasure: Erasure) -> None:
        """Delete the user's activities from the store and record the outcome."""
        try:
            if self._before is not None:
                await self._before()  # what was consumed before it, in the store first
            erased = await self._store.erase(erasure.user)
        except ConnectionError as unreachable:
            log.warning(
                "erasure waits for the store",
                extra={"erasure": erasure.name, "error": str(unreachable)},
            )
            return
        except Exception as failure:
            log.exception("erasure failed", extra={"erasure": erasure.name})
            await self._finish(
                erasure, ErasureState.FAILED, 0, f"{type(failure).__name__}: {failure}"
            )
            return
        await self._finish(erasure, ErasureState.SUCCEEDED, erased, "")

    async def _finish(self, erasure: Erasure, state: ErasureState, count: int, error: str) -> None:
        async with self._sessions() as session, session.begin():
            await SqlErasures(session).finish(erasure.id, state, count, error, self._clock())


def _may_erase(principal: Principal, user: str) -> None:
    if principal.name != user and not is_admin(principal):
        raise PermissionDeniedError(f"{principal.name} may not erase the activities of {user}")
