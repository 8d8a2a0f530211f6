"""The migrations up/down check every service with a database runs in its CI.

Upgrades a fresh database to head, downgrades it to base, upgrades it again, and fails unless
every declared table exists at head, none survives the downgrade, and the migrated schema matches
the declared tables column by column (so a model change nobody wrote a migration for is caught).
A service's `python -m <package>.migrations.check sqlite|postgresql` calls `run_migration_check`.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, MetaData, inspect

from knowledge_kit.database.migrations import MigrationStep, migrate_database, on_connection
from knowledge_kit.testing.infrastructure import (
    POSTGRES_URL_ENV,
    InfrastructureMissing,
    provisioned,
    throwaway_database,
)

BACKENDS = ("sqlite", "postgresql")
ALEMBIC_TABLE = "alembic_version"


class MigrationCheckFailed(AssertionError):
    """The migrations and the declared tables disagree; the message says where."""


def declared_schema(metadatas: Sequence[MetaData]) -> MetaData:
    """One MetaData holding every table the service declares (its own and the kit's)."""
    combined = MetaData()
    for metadata in metadatas:
        for table in metadata.tables.values():
            table.to_metadata(combined)
    return combined


async def check_migrations(migrations: Path, declared: MetaData, url: str) -> None:
    """Up, down and up again on the empty database at `url`; raise naming what went wrong."""
    tables = set(declared.tables)
    steps: tuple[tuple[MigrationStep, str], ...] = (
        ("upgrade", "head"),
        ("downgrade", "base"),
        ("upgrade", "head"),
    )
    for step, revision in steps:
        await migrate_database(url, migrations, step, revision)
        present = await on_connection(url, lambda sync: set(inspect(sync).get_table_names()))
        present &= tables
        expected = tables if revision == "head" else set()
        if present != expected:
            raise MigrationCheckFailed(
                f"after {step} to {revision}: expected tables {sorted(expected)}, "
                f"found {sorted(present)}"
            )
    differences = await on_connection(url, lambda sync: _compare(sync, declared))
    if differences:
        raise MigrationCheckFailed(
            "the migrated schema differs from the declared tables (write a migration): "
            + "; ".join(differences)
        )


async def check_migrations_on(backend: str, migrations: Path, declared: MetaData) -> None:
    """The check on a throwaway SQLite file, or a throwaway database on the test PostgreSQL."""
    if backend == "sqlite":
        with tempfile.TemporaryDirectory() as directory:
            await check_migrations(
                migrations, declared, f"sqlite+aiosqlite:///{directory}/check.db"
            )
        return
    if backend == "postgresql":
        server = provisioned(POSTGRES_URL_ENV, "PostgreSQL")
        async with throwaway_database(server, "migrations") as url:
            await check_migrations(migrations, declared, url)
        return
    raise ValueError(f"unknown backend {backend!r}: use {' or '.join(BACKENDS)}")


def run_migration_check(
    arguments: Sequence[str], migrations: Path, metadatas: Sequence[MetaData]
) -> int:
    """Command-line body: `check sqlite|postgresql`; prints the outcome, returns the exit code."""
    if len(arguments) != 1:
        print(f"usage: python -m <package>.migrations.check {'|'.join(BACKENDS)}", file=sys.stderr)
        return 2
    backend = arguments[0]
    try:
        asyncio.run(check_migrations_on(backend, migrations, declared_schema(metadatas)))
    except (MigrationCheckFailed, InfrastructureMissing, ValueError) as problem:
        print(f"migrations check failed on {backend}: {problem}", file=sys.stderr)
        return 1
    print(f"migrations check passed on {backend}: up, down and up again, schema as declared")
    return 0


def _compare(sync: Connection, declared: MetaData) -> list[str]:
    context = MigrationContext.configure(sync, opts={"compare_type": True})
    return [
        str(difference)
        for difference in compare_metadata(context, declared)
        if not (difference[0] == "remove_table" and difference[1].name == ALEMBIC_TABLE)
    ]
