"""Canvases, their update log and snapshots, and the outbox and inbox of events.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

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
    op.create_table(
        "outbox_events",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("topic", sa.String(249), nullable=False),
        sa.Column("subject", sa.String(512), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index(
        "ix_outbox_events_unsent",
        "outbox_events",
        ["position"],
        postgresql_where=sa.text("sent_at IS NULL"),
    )
    op.create_table(
        "inbox_events",
        sa.Column("consumer_group", sa.String(255), primary_key=True),
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("topic", sa.String(249), nullable=False),
        sa.Column(
            "processed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )


def downgrade() -> None:
    op.drop_table("inbox_events")
    op.drop_index("ix_outbox_events_unsent", table_name="outbox_events")
    op.drop_table("outbox_events")
    op.drop_table("canvas_snapshots")
    op.drop_index("ix_canvas_updates_canvas_id", table_name="canvas_updates")
    op.drop_table("canvas_updates")
    op.drop_index("ix_canvases_space_name", table_name="canvases")
    op.drop_table("canvases")
