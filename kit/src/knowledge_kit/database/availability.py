"""Whether a failure says the database could not be reached, rather than that the work was wrong.

The difference decides what happens next: an RPC answers UNAVAILABLE (retry later) instead of
INTERNAL, and an event consumer stops and reads the event again later instead of parking a
good event on the dead-letter topic.
"""

from __future__ import annotations

import socket
import sqlite3

from sqlalchemy.exc import DBAPIError, OperationalError

# SQLite reports a busy or missing database file as OperationalError, and so it reports a
# missing table or a syntax error: only these messages mean "not reachable now".
_SQLITE_UNREACHABLE = ("database is locked", "unable to open database file", "disk i/o error")


def database_unreachable(error: BaseException) -> bool:
    """True for a refused or dropped connection, a server shutting down or starting up, a
    connect timeout, and a locked or unopenable SQLite file."""
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        if isinstance(error.orig, sqlite3.OperationalError):
            message = str(error.orig).lower()
            return any(reason in message for reason in _SQLITE_UNREACHABLE)
        return isinstance(error, OperationalError)
    # asyncpg raises these unwrapped while it opens a connection.
    return isinstance(error, (ConnectionError, TimeoutError, socket.gaierror))
