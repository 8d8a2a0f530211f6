"""The kit's outbox and inbox tables move to version 2 (no unique index of outbox event ids, no
partial index of unsent positions: less work for the database per event), keeping what they hold.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

from knowledge_kit.events.migrations import migrate_event_tables

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    migrate_event_tables(from_version=1, to_version=2)


def downgrade() -> None:
    migrate_event_tables(from_version=2, to_version=1)
