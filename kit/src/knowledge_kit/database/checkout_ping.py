"""The pool's check that a PostgreSQL connection still works as it hands it out.

A connection the database has dropped (a restart, a failover, a proxy's idle timeout) must not
reach a unit of work, which would fail on it. SQLAlchemy's own pre-ping does this for asyncpg by
beginning a transaction, sending an empty statement and rolling back: three round trips on every
checkout, as many as a read's own statements and commit together (it does so for PgBouncer's
transaction mode, which the platform does not use). Here:

- a connection whose socket the database closed (asyncpg has seen it go) is replaced at once;
- one the pool got back within the last `RECENTLY_USED_SECONDS` is handed out as it is: a
  statement just ran on it, and under load every connection is such a one (HikariCP skips its
  check the same way, within half a second of the last use);
- any other is checked with one statement (`SELECT 1`, outside a transaction).

A connection that fails its check is replaced before anyone gets it, as with the pre-ping.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only

RECENTLY_USED_SECONDS = 1.0
_LAST_USED = "knowledge_kit.last_used"  # in a connection record's info: monotonic seconds


def ping_on_checkout(engine: AsyncEngine) -> None:
    """Check each connection of `engine` (asyncpg) as the pool hands it out; use instead of
    `pool_pre_ping`."""
    event.listen(engine.sync_engine, "connect", _note_use)
    event.listen(engine.sync_engine, "checkin", _note_use)
    event.listen(engine.sync_engine, "checkout", _check)


def _note_use(_dbapi_connection: Any, record: Any) -> None:
    if record is not None:
        record.info[_LAST_USED] = time.monotonic()


def _check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    driver = dbapi_connection.driver_connection
    if driver.is_closed():
        raise DisconnectionError("the database closed this pooled connection")
    if time.monotonic() - record.info.get(_LAST_USED, 0.0) < RECENTLY_USED_SECONDS:
        return
    try:
        await_only(driver.execute("SELECT 1"))
    except Exception as failure:
        # The pool discards the connection and checks out a new one (a database that cannot
        # be reached then fails the connect, which the kit reports as unavailable).
        raise DisconnectionError(f"pooled connection failed its check: {failure!r}") from failure
