"""A service's event tables move between versions of their DDL with what they hold."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from knowledge_kit.database import create_database_engine
from knowledge_kit.database.migrations import migrate_database, upgrade_database

MIGRATIONS = Path(__file__).resolve().parent / "sample_migrations"
VERSION_1, VERSION_2 = "0003", "0004"  # the sample service's revisions of each
RECORD = text(
    "INSERT INTO outbox_events (event_id, topic, subject, envelope, sent_at) "
    "VALUES (:event_id, 'notes', :subject, :envelope, :sent_at)"
)


async def _record(url: str, event_id: str, subject: str, *, sent: bool = False) -> None:
    engine = create_database_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                RECORD,
                {
                    "event_id": event_id,
                    "subject": subject,
                    "envelope": subject.encode(),
                    "sent_at": datetime(2026, 1, 1, tzinfo=UTC) if sent else None,
                },
            )
    finally:
        await engine.dispose()


async def _outbox(url: str) -> list[tuple[int, str, str, bytes, bool]]:
    engine = create_database_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT position, event_id, subject, envelope, sent_at IS NOT NULL "
                    "FROM outbox_events ORDER BY position"
                )
            )
            return [(row[0], row[1], row[2], bytes(row[3]), bool(row[4])) for row in rows]
    finally:
        await engine.dispose()


async def test_moving_to_version_2_and_back_keeps_the_outbox_in_its_order(
    each_database_url: str,
) -> None:
    await upgrade_database(each_database_url, MIGRATIONS, VERSION_1)
    await _record(each_database_url, "id-1", "notes/a", sent=True)
    await _record(each_database_url, "id-2", "notes/b")
    await _record(each_database_url, "id-3", "notes/c")
    before = await _outbox(each_database_url)

    await upgrade_database(each_database_url, MIGRATIONS, VERSION_2)
    assert await _outbox(each_database_url) == before
    # Version 2 keeps no unique index of ids (the inbox applies an event once); positions
    # still follow the order of recording.
    await _record(each_database_url, "id-3", "notes/c-again")
    after = await _outbox(each_database_url)
    assert after[:3] == before
    assert after[3][0] > before[-1][0]
    assert after[3][1:3] == ("id-3", "notes/c-again")

    engine = create_database_engine(each_database_url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text("DELETE FROM outbox_events WHERE subject = 'notes/c-again'")
            )
    finally:
        await engine.dispose()
    await migrate_database(each_database_url, MIGRATIONS, "downgrade", VERSION_1)
    assert await _outbox(each_database_url) == before
    with pytest.raises(IntegrityError):
        await _record(each_database_url, "id-2", "notes/b-again")
