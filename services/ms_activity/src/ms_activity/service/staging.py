"""Activities written to the store with the consumer's transaction.

The kit's consumer applies a partition's records in one SQL transaction with their inbox rows.
The handlers stage their activities on that transaction's session; just before it commits, the
staged activities go to the store in one insert. So:

- a transaction that rolls back (a handler failed, the batch is retried) writes nothing;
- one whose store insert fails does not commit either: its records are read again later (an
  unreachable store raises ConnectionError, which the consumer treats like an unreachable
  database: it stops instead of dead-lettering good events);
- one whose store insert succeeded but whose commit then failed is applied again later, and the
  store's own deduplication on the activity id keeps it counted once.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction
from sqlalchemy.util import await_only

from ..store import Activity, ActivityStore

_STAGED = "ms_activity.staged_activities"


def stage(session: AsyncSession, store: ActivityStore, activities: Iterable[Activity]) -> None:
    """Write `activities` to `store` when the session's open transaction commits."""
    info = session.sync_session.info
    staged: list[Activity] | None = info.get(_STAGED)
    if staged is None:
        staged = info[_STAGED] = []
        _flush_before_commit(session.sync_session, store)
    staged.extend(activities)


def _flush_before_commit(session: Session, store: ActivityStore) -> None:
    """Each hook fires once and removes the other (never itself, mid-dispatch)."""

    def flush(_: Session) -> None:
        if event.contains(session, "after_soft_rollback", rolled_back):
            event.remove(session, "after_soft_rollback", rolled_back)
        batch: list[Activity] = session.info.pop(_STAGED, [])
        if batch:
            # The hook runs inside the AsyncSession's greenlet: the insert is awaited there.
            await_only(store.record(batch))

    def rolled_back(_: Session, __: SessionTransaction) -> None:
        if event.contains(session, "before_commit", flush):
            event.remove(session, "before_commit", flush)
        session.info.pop(_STAGED, None)

    event.listen(session, "before_commit", flush, once=True)
    event.listen(session, "after_soft_rollback", rolled_back, once=True)
