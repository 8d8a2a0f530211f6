"""Run something once the session's transaction has committed: never when it rolls back, and a
savepoint rolled back inside it changes nothing. For what lives outside the database and must
follow only committed state: waking streams, refreshing an in-memory index."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction


def after_commit(session: AsyncSession, callback: Callable[[], None]) -> None:
    """Call `callback` after the open transaction of `session` commits."""
    settled = False  # the outermost transaction ended: committed (and called) or rolled back

    def committed(_: Session) -> None:
        nonlocal settled
        if not settled:
            settled = True
            callback()

    def ended(_: Session, transaction: SessionTransaction) -> None:
        nonlocal settled
        if not transaction.nested and transaction.parent is None:
            settled = True  # a savepoint's end is left to the transaction around it

    # Listeners are not removed from inside a dispatch (SQLAlchemy iterates them); they go with
    # the session, which lives for one unit of work.
    event.listen(session.sync_session, "after_commit", committed, once=True)
    event.listen(session.sync_session, "after_transaction_end", ended)
