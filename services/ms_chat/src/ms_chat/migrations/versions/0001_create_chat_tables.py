"""Create conversations, their messages (the answer tree, citations, status, usage, feedback),
the answers' event logs, and the kit's space membership projection.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from knowledge_kit.spaces.migrations import (
    create_space_membership_tables,
    drop_space_membership_tables,
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "conversations",
        sa.Column("name", sa.String(256), primary_key=True),
        sa.Column("owner", sa.String(160), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("spaces", sa.Text(), nullable=False),
        sa.Column("archived", sa.Boolean(), nullable=False),
        sa.Column("etag", sa.String(32), nullable=False),
        sa.Column("current_message", sa.String(384), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_conversations_owner_listing",
        "conversations",
        ["owner", "archived", "update_time", "name"],
    )
    op.create_table(
        "messages",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("name", sa.String(384), nullable=False, unique=True),
        sa.Column(
            "conversation",
            sa.String(256),
            sa.ForeignKey("conversations.name", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.SmallInteger(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("parent_message", sa.String(384), nullable=False),
        sa.Column("status", sa.SmallInteger(), nullable=False),
        sa.Column("stop_requested", sa.Boolean(), nullable=False),
        sa.Column("citations", sa.Text(), nullable=False),
        sa.Column("model", sa.String(256), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("passages", sa.Integer(), nullable=False),
        sa.Column("first_token_ms", sa.Integer(), nullable=False),
        sa.Column("total_ms", sa.Integer(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("feedback_comment", sa.Text(), nullable=False),
        sa.Column("feedback_time", sa.DateTime(timezone=True), nullable=True),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_messages_conversation", "messages", ["conversation", "id"])
    op.create_table(
        "answer_events",
        sa.Column(
            "answer",
            sa.String(384),
            sa.ForeignKey("messages.name", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("sequence", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
    )
    create_space_membership_tables(version=1)


def downgrade() -> None:
    drop_space_membership_tables(version=1)
    op.drop_table("answer_events")
    op.drop_index("ix_messages_conversation", table_name="messages")
    op.drop_table("messages")
    op.drop_index("ix_conversations_owner_listing", table_name="conversations")
    op.drop_table("conversations")
