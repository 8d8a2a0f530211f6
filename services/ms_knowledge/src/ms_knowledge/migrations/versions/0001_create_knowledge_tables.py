"""Spaces, members, documents and versions, and the outbox and inbox of events.

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
    create_event_tables(version=1)


def downgrade() -> None:
    drop_event_tables(version=1)
    op.drop_table("document_versions")
    op.drop_index("ix_documents_space_update_time", table_name="documents")
    op.drop_table("documents")
    op.drop_index("ix_space_members_user", table_name="space_members")
    op.drop_table("space_members")
    op.drop_table("spaces")
