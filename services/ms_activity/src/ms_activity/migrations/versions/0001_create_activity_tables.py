"""Create the erasures and the kit's space membership projection.

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

NAME = 512


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user", sa.String(NAME), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("erased_count", sa.BigInteger(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(NAME), nullable=False),
        sa.Column("requested_by_display_name", sa.String(NAME), nullable=False),
        sa.Column("create_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("end_time", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_erasures_state", "erasures", ["state"])
    create_space_membership_tables(version=1)


def downgrade() -> None:
    drop_space_membership_tables(version=1)
    op.drop_index("ix_erasures_state", table_name="erasures")
    op.drop_table("erasures")
