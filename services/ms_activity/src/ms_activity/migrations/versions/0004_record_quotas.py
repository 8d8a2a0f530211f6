"""Create the per-minute counts of what each user recorded, shared by every instance.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "record_quotas",
        sa.Column("actor", sa.String(512), primary_key=True),
        sa.Column("window_start", sa.BigInteger(), primary_key=True),
        sa.Column("recorded", sa.Integer(), nullable=False),
    )
    op.create_index("ix_record_quotas_window_start", "record_quotas", ["window_start"])


def downgrade() -> None:
    op.drop_index("ix_record_quotas_window_start", table_name="record_quotas")
    op.drop_table("record_quotas")
