"""Canvases, their update log and snapshots, and the outbox and inbox of events.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from knowledge_kit.events.migrations import create_event_tables, drop_event_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "canvases",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("space", sa.String(200), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("etag", sa.String(32), nullable=False),
        sa.Column("create_time_us", sa.BigInteger(), nullable=False),
        sa.Column("update_time_us", sa.BigInteger(), nullable=False),
        sa.Column("creator", sa.String(140), nullable=False),
    )
    op.create_index("ix_canvases_space_name", "canvases", ["space", "name"])
    op.create_table(
        "canvas_updates",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("canvas", sa.String(200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("author", sa.String(140), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_canvas_updates_canvas_id", "canvas_updates", ["canvas", "id"])
    op.create_table(
        "canvas_snapshots",
        sa.Column("canvas", sa.String(200), primary_key=True),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("through_update_id", sa.BigInteger(), nullable=False),
    )
    create_event_tables(version=1)


def downgrade() -> None:
    drop_event_tables(version=1)
    op.drop_table("canvas_snapshots")
    op.drop_index("ix_canvas_updates_canvas_id", table_name="canvas_updates")
    op.drop_table("canvas_updates")
    op.drop_index("ix_canvases_space_name", table_name="canvases")
    op.drop_table("canvases")
