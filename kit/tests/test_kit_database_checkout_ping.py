"""A pooled PostgreSQL connection the database has dropped never reaches a unit of work."""

from __future__ import annotations

import asyncio

from sqlalchemy import text

from knowledge_kit.database import UnitOfWork, create_database_engine, session_factory


async def test_connections_the_database_dropped_are_replaced_before_use(
    postgres_database_url: str,
) -> None:
    engine = create_database_engine(postgres_database_url)
    sessions = session_factory(engine)
    held = asyncio.Event()

    async def backend_of_a_unit_of_work(wait: bool) -> int:
        async with UnitOfWork(sessions) as uow:
            pid = (await uow.session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
            if wait:  # three at once, so the pool keeps three connections
                await held.wait()
            return int(pid)

    try:
        first = asyncio.gather(*(backend_of_a_unit_of_work(wait=True) for _ in range(3)))
        await asyncio.sleep(0.5)
        held.set()
        pooled = set(await first)
        assert len(pooled) == 3

        admin = create_database_engine(postgres_database_url)  # not one of the pool's three
        try:
            async with admin.connect() as connection:
                dropped = await connection.execute(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) "
                        "FROM unnest(CAST(:pids AS integer[])) AS pid"
                    ),
                    {"pids": list(pooled)},
                )
                assert dropped.scalar_one() == 3
        finally:
            await admin.dispose()
        await asyncio.sleep(0.2)  # the backends exit

        after = [await backend_of_a_unit_of_work(wait=False) for _ in range(4)]
        assert not pooled & set(after), "a unit of work got a connection the database dropped"
    finally:
        await engine.dispose()
