"""The migrations up/down check catches what a service's CI must catch, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table

from knowledge_kit.database.migration_check import (
    MigrationCheckFailed,
    check_migrations,
    declared_schema,
    run_migration_check,
)
from knowledge_kit.events import EVENTS_METADATA
from knowledge_kit.events.migrations import create_event_tables

MIGRATIONS = Path(__file__).resolve().parent / "sample_migrations"


def notes_metadata(*extra: Column[str]) -> MetaData:
    """The sample service's tables (the kit's event tables are declared by EVENTS_METADATA)."""
    metadata = MetaData()
    Table(
        "notes",
        metadata,
        Column("id", Integer, primary_key=True),
        Column("body", String(200), nullable=False),
        Column("title", String(100), nullable=False),
        *extra,
    )
    return metadata


async def test_migrations_matching_the_declared_tables_pass(each_database_url: str) -> None:
    # The event tables come from create_event_tables(version=1), then migrate_event_tables to
    # version 2: the newest version must be exactly what EVENTS_METADATA declares, on both
    # backends.
    declared = declared_schema([notes_metadata(), EVENTS_METADATA])
    await check_migrations(MIGRATIONS, declared, each_database_url)


def test_an_event_tables_version_the_kit_does_not_have_is_refused() -> None:
    with pytest.raises(ValueError, match="no version 3 of the event tables"):
        create_event_tables(version=3)


async def test_a_column_declared_without_a_migration_is_named(each_database_url: str) -> None:
    declared = declared_schema([notes_metadata(Column("pinned_at", String(30))), EVENTS_METADATA])
    with pytest.raises(MigrationCheckFailed, match=r"differs from the declared tables.*pinned_at"):
        await check_migrations(MIGRATIONS, declared, each_database_url)


async def test_a_table_no_migration_creates_is_named(each_database_url: str) -> None:
    extra = MetaData()
    Table("tags", extra, Column("id", Integer, primary_key=True))
    with pytest.raises(
        MigrationCheckFailed, match=r"after upgrade to head: expected tables.*'tags'"
    ):
        await check_migrations(
            MIGRATIONS,
            declared_schema([notes_metadata(), EVENTS_METADATA, extra]),
            each_database_url,
        )


def test_the_command_line_names_a_wrong_backend(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_migration_check(["mysql"], MIGRATIONS, [notes_metadata()]) == 1
    assert "unknown backend 'mysql'" in capsys.readouterr().err
    assert run_migration_check([], MIGRATIONS, [notes_metadata()]) == 2
