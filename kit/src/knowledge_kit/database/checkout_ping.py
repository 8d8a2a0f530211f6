"""The pool's check that a PostgreSQL connection still works, in one round trip.

A connection the database has dropped (a restart, a failover, a proxy's idle timeout) must not
reach a unit of work, which would fail on it. SQLAlchemy's own pre-ping does this for asyncpg by
beginning a transaction, sending an empty statement and rolling back: three round trips on every
checkout, as many as a read's own statements and commit together (it does so for PgBouncer's
transaction mode, which the platform does not use). This check sends one statement (`SELECT 1`, outside a transaction);
a connection that fails it is replaced before anyone gets it, as with the pre-ping.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util import await_only


def ping_on_checkout(engine: AsyncEngine) -> None:
    """Check each connection of `engine` (asyncpg) as the pool hands it out; use instead of
    `pool_pre_ping`."""
    event.listen(engine.sync_engine, "checkout", _ping)


def _ping(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    try:
        await_only(dbapi_connection.driver_connection.execute("SELECT 1"))
    except Exception as failure:
        # The pool discards the connection and checks out a new one (a database that cannot
        # be reached then fails the connect, which the kit reports as unavailable).
        raise DisconnectionError(f"pooled connection failed its check: {failure!r}") from failure
