"""Activities written with the consumer's transaction, for the forwarder to take to the store.

The kit's consumer applies a partition's records in one SQL transaction with their inbox rows.
The handlers stage their activities on that transaction's session; just before it commits, the
staged activities are inserted into `pending_activities` in one statement, and once it has
committed the forwarder is woken. So an activity is pending exactly when its event's inbox row
is committed: a transaction that rolls back (a handler failed, the batch is retried) leaves
nothing, and nothing committed is lost if the process stops before the store has it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

from ..repository.pending import write_pending
from ..store import Activity

_STAGED = "ms_activity.staged_activities"


def stage(
    session: AsyncSession, activities: Iterable[Activity], committed: Callable[[], None]
) -> None:
    """Make `activities` pending when the session's open transaction commits, then call
    `committed`."""
    info = session.sync_session.info
    staged: list[Activity] | None = info.get(_STAGED)
    if staged is None:
        staged = info[_STAGED] = []
        _write_before_commit(session.sync_session, committed)
    staged.extend(activities)


def _write_before_commit(session: Session, committed: Callable[[], None]) -> None:
    """Each hook fires once and removes the others (never itself, mid-dispatch)."""

    def write(_: Session) -> None:
        batch: list[Activity] = session.info.pop(_STAGED, [])
        if batch:
            # Inside the AsyncSession's greenlet: the insert runs on the transaction's connection.
            write_pending(session.connection(), batch)

    def done(_: Session) -> None:
        if event.contains(session, "after_soft_rollback", rolled_back):
            event.remove(session, "after_soft_rollback", rolled_back)
        committed()

    def rolled_back(_: Session, __: SessionTransaction) -> None:
        for name, hook in (("before_commit", write), ("after_commit", done)):
            if event.contains(session, name, hook):
                event.remove(session, name, hook)
        session.info.pop(_STAGED, None)

    event.listen(session, "before_commit", write, once=True)
    event.listen(session, "after_commit", done, once=True)
    event.listen(session, "after_soft_rollback", rolled_back, once=True)
