"""Create the index's record (chunks with their vectors, per-document status), the reindex
operations, and the kit's space membership projection.

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
        "chunks",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("document", sa.String(512), nullable=False),
        sa.Column("space", sa.String(256), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("start_offset", sa.Integer(), nullable=False),
        sa.Column("end_offset", sa.Integer(), nullable=False),
        sa.Column("heading_path", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(128), nullable=False),
        sa.Column("embedding_model", sa.String(256), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_chunks_document", "chunks", ["document"])
    op.create_index("ix_chunks_space", "chunks", ["space"])
    op.create_table(
        "indexed_documents",
        sa.Column("document", sa.String(512), primary_key=True),
        sa.Column("space", sa.String(256), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("indexed_revision", sa.BigInteger(), nullable=False),
        sa.Column("latest_revision", sa.BigInteger(), nullable=False),
        sa.Column("embedding_model", sa.String(256), nullable=False),
        sa.Column("chunk_count", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("status_time", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_indexed_documents_space", "indexed_documents", ["space"])
    op.create_table(
        "reindex_operations",
        sa.Column("name", sa.String(512), primary_key=True),
        sa.Column("space", sa.String(256), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("documents_total", sa.Integer(), nullable=False),
        sa.Column("documents_indexed", sa.Integer(), nullable=False),
        sa.Column("documents_failed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(512), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_reindex_operations_space", "reindex_operations", ["space"])
    create_space_membership_tables(version=1)


def downgrade() -> None:
    drop_space_membership_tables(version=1)
    op.drop_index("ix_reindex_operations_space", table_name="reindex_operations")
    op.drop_table("reindex_operations")
    op.drop_index("ix_indexed_documents_space", table_name="indexed_documents")
    op.drop_table("indexed_documents")
    op.drop_index("ix_chunks_space", table_name="chunks")
    op.drop_index("ix_chunks_document", table_name="chunks")
    op.drop_table("chunks")
