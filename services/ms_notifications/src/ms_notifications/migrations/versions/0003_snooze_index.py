"""Index notifications by the end of their snooze, for the check that brings them back.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_notifications_snoozed", "notifications", ["snooze_until"])


def downgrade() -> None:
    op.drop_index("ix_notifications_snoozed", table_name="notifications")
