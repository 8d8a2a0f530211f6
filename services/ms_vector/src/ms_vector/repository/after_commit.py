"""Run something once the session's transaction has committed (never when it rolls back; a
savepoint rolled back inside it, as the kit's consumer does for a failing event, changes nothing)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Call `callback` after the open transaction of `session` commits."""

    def committed(_: Session) -> None:
        callback()

    def rolled_back(_: Session) -> None:
        if event.contains(session.sync_session, "after_commit", committed):
            event.remove(session.sync_session, "after_commit", committed)

    event.listen(session.sync_session, "after_commit", committed, once=True)
    event.listen(session.sync_session, "after_rollback", rolled_back, once=True)
