"""The kit's event tables move to version 2, as a service's migration moves them."""

from knowledge_kit.events.migrations import migrate_event_tables

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    migrate_event_tables(from_version=1, to_version=2)


def downgrade() -> None:
    migrate_event_tables(from_version=2, to_version=1)
