"""One instance builds a generation at a time: who, and until when its lease holds.

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
    with op.batch_alter_table("embedding_generations") as table:
        table.add_column(sa.Column("builder", sa.String(256), nullable=False, server_default=""))
        table.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("embedding_generations") as table:
        table.drop_column("lease_until")
        table.drop_column("builder")
