"""One pool connection kept by a loop that runs as long as the service: the outbox relay, an
event consumer.

Taking a connection from the pool for each batch, such a loop queued behind the service's own
transactions, and under load it waited until the load eased (seconds, with 16 use cases
committing at once): a connection given back goes to whoever asks next, not to whoever waited
longest. Meanwhile events piled up unpublished or unapplied. Holding one, the loop never waits for
the pool; it costs the pool one connection while the loop runs.
"""

from __future__ import annotations

import contextlib

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker


class HeldConnection:
    """`await held.take()` as the loop starts, before the service's load; then `held.session()`
    is a session of `sessions` on the held connection; `await held.release()` after a failure
    (the connection may be broken: the next session takes a fresh one) and when the loop ends.

    Only on PostgreSQL: an in-memory SQLite database has one connection for all, and SQLite one
    writer at a time, so there each session takes its connection from the pool as usual.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        engine = sessions.kw.get("bind")
        self._engine = (
            engine
            if isinstance(engine, AsyncEngine) and engine.dialect.name == "postgresql"
            else None
        )
        self._connection: AsyncConnection | None = None

    async def take(self) -> None:
        """Take the connection now. A database that cannot be reached is left for the first
        session to meet, the way the loop meets every failure of its own."""
        with contextlib.suppress(Exception):
            await self._connected()

    async def session(self) -> AsyncSession:
        """A new session; on PostgreSQL bound to the held connection, begun by the caller."""
        connection = await self._connected()
        return self._sessions() if connection is None else self._sessions(bind=connection)

    async def _connected(self) -> AsyncConnection | None:
        if self._engine is not None and self._connection is None:
            self._connection = await self._engine.connect()
        return self._connection

    async def release(self) -> None:
        """Give the connection back to the pool (or drop it when the database went away)."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            await connection.close()
        except Exception:
            with contextlib.suppress(Exception):
                await connection.invalidate()
