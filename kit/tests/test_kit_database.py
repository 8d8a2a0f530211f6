"""Unit of work and Alembic migrations behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from knowledge_kit.database import UnitOfWork, create_database_engine, session_factory
from knowledge_kit.database.migrations import current_revision, upgrade_database

MIGRATIONS = Path(__file__).resolve().parent / "sample_migrations"


async def _bodies(url: str) -> list[str]:
    engine = create_database_engine(url)
    async with engine.connect() as connection:
        rows = await connection.execute(text("SELECT body FROM notes ORDER BY id"))
        bodies = [row.body for row in rows]
    await engine.dispose()
    return bodies


async def test_migrations_run_to_head_including_alters(each_database_url: str) -> None:
    assert await current_revision(each_database_url) is None
    await upgrade_database(each_database_url, MIGRATIONS)
    assert await current_revision(each_database_url) == "0004"
    engine = create_database_engine(each_database_url)
    with pytest.raises(IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (title) VALUES ('no body')"))
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO notes (body) VALUES ('has a body')"))
        assert (await connection.execute(text("SELECT title FROM notes"))).scalar_one() == ""
    await engine.dispose()


async def test_a_unit_of_work_commits_all_or_nothing(each_database_url: str) -> None:
    await upgrade_database(each_database_url, MIGRATIONS)
    sessions = session_factory(create_database_engine(each_database_url))
    async with UnitOfWork(sessions) as uow:
        await uow.session.execute(text("INSERT INTO notes (body) VALUES ('kept')"))
        await uow.commit()
    async with UnitOfWork(sessions) as uow:
        await uow.session.execute(text("INSERT INTO notes (body) VALUES ('never committed')"))
    with pytest.raises(RuntimeError):
        async with UnitOfWork(sessions) as uow:
            await uow.session.execute(text("INSERT INTO notes (body) VALUES ('failed')"))
            raise RuntimeError("use case failed")
    assert await _bodies(each_database_url) == ["kept"]


async def test_a_unit_of_work_cannot_be_used_outside_its_block(sqlite_database_url: str) -> None:
    uow = UnitOfWork(session_factory(create_database_engine(sqlite_database_url)))
    with pytest.raises(RuntimeError, match="not open"):
        _ = uow.session


def test_an_unsupported_database_url_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="'mysql\\+aiomysql' is not supported"):
        create_database_engine("mysql+aiomysql://localhost/db")


async def test_a_migrations_directory_without_env_py_is_refused(
    sqlite_database_url: str, tmp_path: Path
) -> None:
    with pytest.raises(FileNotFoundError, match=r"no Alembic env\.py"):
        await upgrade_database(sqlite_database_url, tmp_path)


@pytest.fixture
def service_migrations() -> Path:
    return MIGRATIONS


@pytest.fixture(params=["sqlite", "postgresql"])
def database_backend(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, postgres_url: str
) -> str:
    backend = str(request.param)
    monkeypatch.setenv("KNOWLEDGE_TEST_DATABASE", backend)
    return backend


async def test_the_plugin_hands_a_service_a_migrated_database_on_the_chosen_backend(
    database_backend: str, migrated_database_url: str
) -> None:
    scheme = "sqlite+aiosqlite" if database_backend == "sqlite" else "postgresql+asyncpg"
    assert migrated_database_url.startswith(f"{scheme}://")
    assert await current_revision(migrated_database_url) == "0004"
