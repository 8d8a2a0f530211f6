"""Alembic on both backends: a service's env.py calls `run_migrations`, its code `upgrade_database`.

A service's `migrations/env.py` is two lines:

    from knowledge_kit.database.migrations import run_migrations
    run_migrations(target_metadata=[Base.metadata, EVENTS_METADATA])
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, TypeVar

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Connection, MetaData

from knowledge_kit.database.engine import create_database_engine

T = TypeVar("T")
MigrationStep = Literal["upgrade", "downgrade"]


def alembic_config(script_location: str | Path, url: str) -> Config:
    """An Alembic configuration for the migrations in `script_location` against `url`."""
    if not Path(script_location, "env.py").is_file():
        raise FileNotFoundError(f"no Alembic env.py in {script_location}")
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


async def upgrade_database(url: str, script_location: str | Path, revision: str = "head") -> None:
    """Apply migrations up to `revision` on the database at `url` (SQLite or PostgreSQL)."""
    await migrate_database(url, script_location, "upgrade", revision)


async def migrate_database(
    url: str, script_location: str | Path, step: MigrationStep, revision: str
) -> None:
    """Run Alembic's `upgrade` or `downgrade` to `revision` on the database at `url`."""
    config = alembic_config(script_location, url)
    engine = create_database_engine(url, traced=False)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_run_command, config, step, revision)
    finally:
        await engine.dispose()


async def on_connection(url: str, run: Callable[[Connection], T]) -> T:
    """`run(connection)` on a synchronous connection to the database at `url` (for Alembic and
    schema inspection, which are synchronous)."""
    engine = create_database_engine(url, traced=False)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(run)
    finally:
        await engine.dispose()


async def current_revision(url: str) -> str | None:
    """The revision the database at `url` is at (None before the first migration)."""
    from alembic.runtime.migration import MigrationContext

    return await on_connection(
        url, lambda sync: MigrationContext.configure(sync).get_current_revision()
    )


def _run_command(connection: Connection, config: Config, step: str, revision: str) -> None:
    config.attributes["connection"] = connection
    getattr(command, step)(config, revision)


def run_migrations(target_metadata: MetaData | Sequence[MetaData]) -> None:
    """Body of a service's Alembic env.py: offline SQL, a given connection, or its own engine."""
    if context.is_offline_mode():
        context.configure(
            url=context.config.get_main_option("sqlalchemy.url"),
            target_metadata=target_metadata,
            literal_binds=True,
            render_as_batch=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = context.config.attributes.get("connection")
    if isinstance(connection, Connection):
        _migrate(connection, target_metadata)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise ValueError("sqlalchemy.url is not set in the Alembic configuration")
    asyncio.run(_migrate_with_own_engine(url, target_metadata))


async def _migrate_with_own_engine(
    url: str, target_metadata: MetaData | Sequence[MetaData]
) -> None:
    engine = create_database_engine(url, traced=False)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_migrate, target_metadata)
    finally:
        await engine.dispose()


def _migrate(connection: Connection, target_metadata: MetaData | Sequence[MetaData]) -> None:
    # Batch mode lets ALTER-style migrations run on SQLite, which cannot alter most things.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
