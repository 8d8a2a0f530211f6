"""after_commit runs its callback once the transaction commits, never when it rolls back, and a
savepoint rolled back inside the transaction does not cancel it; the real error comes through."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge_kit.database import after_commit, create_database_engine, session_factory


@pytest.fixture
async def sessions(sqlite_database_url: str) -> async_sessionmaker[AsyncSession]:
    engine = create_database_engine(sqlite_database_url)
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))
    return session_factory(engine)


async def test_the_callback_runs_once_after_commit(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    calls: list[str] = []
    async with sessions() as session, session.begin():
        after_commit(session, lambda: calls.append("committed"))
        await session.execute(text("INSERT INTO notes (id) VALUES (1)"))
        assert calls == []
    assert calls == ["committed"]
    async with sessions() as session, session.begin():
        await session.execute(text("INSERT INTO notes (id) VALUES (2)"))
    assert calls == ["committed"]


async def test_a_rollback_drops_the_callback_and_keeps_the_error(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    calls: list[str] = []
    with pytest.raises(ValueError, match="refused"):
        async with sessions() as session, session.begin():
            after_commit(session, lambda: calls.append("committed"))
            raise ValueError("refused")
    assert calls == []


async def test_a_savepoint_rolled_back_inside_does_not_cancel_it(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    calls: list[str] = []
    async with sessions() as session, session.begin():
        after_commit(session, lambda: calls.append("committed"))
        with pytest.raises(ValueError):
            async with session.begin_nested():
                raise ValueError("one event failed")
    assert calls == ["committed"]
