"""A pooled PostgreSQL connection the database has dropped never reaches a unit of work."""

from __future__ import annotations

import asyncio
import threading
import time

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge_kit.database import UnitOfWork, create_database_engine, session_factory
from knowledge_kit.database.checkout_ping import RECENTLY_USED_SECONDS


async def _backend_of_a_unit_of_work(
    sessions: async_sessionmaker[AsyncSession], held: asyncio.Event | None = None
) -> int:
    async with UnitOfWork(sessions) as uow:
        pid = (await uow.session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        if held is not None:  # several at once, so the pool keeps several connections
            await held.wait()
        return int(pid)


async def _terminate(database_url: str, pids: set[int]) -> int:
    admin = create_database_engine(database_url)  # not one of the pool's connections
    try:
        async with admin.connect() as connection:
            dropped = await connection.execute(
                text(
                    "SELECT count(pg_terminate_backend(pid)) "
                    "FROM unnest(CAST(:pids AS integer[])) AS pid"
                ),
                {"pids": list(pids)},
            )
            return int(dropped.scalar_one())
    finally:
        await admin.dispose()


async def test_connections_the_database_closed_are_replaced_before_use(
    postgres_database_url: str,
) -> None:
    engine = create_database_engine(postgres_database_url)
    sessions = session_factory(engine)
    held = asyncio.Event()
    try:
        first = asyncio.gather(*(_backend_of_a_unit_of_work(sessions, held) for _ in range(3)))
        await asyncio.sleep(0.5)
        held.set()
        pooled = set(await first)
        assert len(pooled) == 3

        assert await _terminate(postgres_database_url, pooled) == 3
        await asyncio.sleep(0.2)  # the backends exit; the pool's connections see them go

        after = [await _backend_of_a_unit_of_work(sessions) for _ in range(4)]
        assert not pooled & set(after), "a unit of work got a connection the database dropped"
    finally:
        await engine.dispose()


async def test_an_idle_connection_dropped_unseen_is_checked_before_use(
    postgres_database_url: str,
) -> None:
    """The connection cannot see its end (the event loop is busy when the database drops it, as
    a vanished peer never says): after a second unused, it is checked before it is handed out."""
    engine = create_database_engine(postgres_database_url)
    sessions = session_factory(engine)
    try:
        pooled = await _backend_of_a_unit_of_work(sessions)
        dropped: list[int] = []
        dropper = threading.Thread(
            target=lambda: dropped.append(asyncio.run(_terminate(postgres_database_url, {pooled})))
        )
        dropper.start()
        dropper.join()  # blocks this loop: the pooled connection does not learn of it
        time.sleep(RECENTLY_USED_SECONDS + 0.2)  # noqa: ASYNC251 (the loop must not run)
        assert dropped == [1]

        assert await _backend_of_a_unit_of_work(sessions) != pooled
    finally:
        await engine.dispose()
