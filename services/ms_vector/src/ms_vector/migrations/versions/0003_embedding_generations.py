"""Index generations (one per embedding model version kept) and chunks found by model.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "embedding_generations",
        sa.Column("model", sa.String(256), primary_key=True),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("documents_total", sa.Integer(), nullable=False),
        sa.Column("documents_done", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("update_time", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_chunks_embedding_model", "chunks", ["embedding_model"])


def downgrade() -> None:
    op.drop_index("ix_chunks_embedding_model", table_name="chunks")
    op.drop_table("embedding_generations")
