"""Notes get a required title; body becomes required (an ALTER SQLite needs batch mode for)."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    with op.batch_alter_table("notes") as batch:
        batch.add_column(sa.Column("title", sa.String(100), nullable=False, server_default=""))
        batch.alter_column("body", existing_type=sa.String(200), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("notes") as batch:
        batch.alter_column("body", existing_type=sa.String(200), nullable=True)
        batch.drop_column("title")
