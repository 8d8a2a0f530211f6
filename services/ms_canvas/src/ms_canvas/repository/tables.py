"""The service's tables: what Alembic migrates and the repositories query.

Times are microseconds since the epoch (UTC), the same on SQLite and PostgreSQL. The kit's
outbox and inbox tables (EVENTS_METADATA) live in the same database; the migrations create them.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

NAME = String(200)
USER = String(140)

canvases = Table(
    "canvases",
    metadata,
    Column("name", NAME, primary_key=True),
    Column("space", NAME, nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("revision", BigInteger, nullable=False),
    Column("etag", String(32), nullable=False),
    Column("create_time_us", BigInteger, nullable=False),
    Column("update_time_us", BigInteger, nullable=False),
    Column("creator", USER, nullable=False),
)
Index("ix_canvases_space_name", canvases.c.space, canvases.c.name)

# Every Yjs update as it arrived, until compaction folds it into the canvas's snapshot.
canvas_updates = Table(
    "canvas_updates",
    metadata,
    # SQLite autoincrements only INTEGER primary keys.
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column("canvas", NAME, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("author", USER, nullable=False),
    # Ids must never be reused after compaction deletes rows: snapshots name the last id they hold.
    sqlite_autoincrement=True,
)
Index("ix_canvas_updates_canvas_id", canvas_updates.c.canvas, canvas_updates.c.id)

canvas_snapshots = Table(
    "canvas_snapshots",
    metadata,
    Column("canvas", NAME, primary_key=True),
    Column("state", LargeBinary, nullable=False),
    # The newest update folded into `state`; later updates are still in canvas_updates.
    Column("through_update_id", BigInteger, nullable=False),
)
