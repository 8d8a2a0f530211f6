"""Spaces, members, documents and versions, and the outbox and inbox of events.

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

TIMESTAMP = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "spaces",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column("display_name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("create_time", TIMESTAMP, nullable=False),
        sa.Column("update_time", TIMESTAMP, nullable=False),
        sa.Column("etag", sa.String(32), nullable=False),
    )
    op.create_table(
        "space_members",
        sa.Column(
            "space",
            sa.String(200),
            sa.ForeignKey("spaces.name", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("user", sa.String(140), primary_key=True),
        sa.Column("role", sa.SmallInteger(), nullable=False),
        sa.Column("create_time", TIMESTAMP, nullable=False),
        sa.Column("invited_by", sa.String(140), nullable=False),
    )
    op.create_index("ix_space_members_user", "space_members", ["user"])
    op.create_table(
        "documents",
        sa.Column("name", sa.String(200), primary_key=True),
        sa.Column(
            "space",
            sa.String(200),
            sa.ForeignKey("spaces.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("etag", sa.String(32), nullable=False),
        sa.Column("create_time", TIMESTAMP, nullable=False),
        sa.Column("update_time", TIMESTAMP, nullable=False),
        sa.Column("creator", sa.String(140), nullable=False),
        sa.Column("last_editor", sa.String(140), nullable=False),
    )
    op.create_index("ix_documents_space_update_time", "documents", ["space", "update_time"])
    op.create_table(
        "document_versions",
        sa.Column(
            "document",
            sa.String(200),
            sa.ForeignKey("documents.name", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("revision", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("author", sa.String(140), nullable=False),
        sa.Column("create_time", TIMESTAMP, nullable=False),
        sa.Column("restored_from_revision", sa.BigInteger(), nullable=False),
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
        sa.Column("created_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
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
        sa.Column("processed_at", TIMESTAMP, nullable=False, server_default=sa.func.now()),
    )


def downgrade() -> None:
    op.drop_table("inbox_events")
    op.drop_index("ix_outbox_events_unsent", table_name="outbox_events")
    op.drop_table("outbox_events")
    op.drop_table("document_versions")
    op.drop_index("ix_documents_space_update_time", table_name="documents")
    op.drop_table("documents")
    op.drop_index("ix_space_members_user", table_name="space_members")
    op.drop_table("space_members")
    op.drop_table("spaces")
