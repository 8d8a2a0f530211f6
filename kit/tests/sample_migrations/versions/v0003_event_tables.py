"""The kit's outbox and inbox tables, as a service's migration creates them."""

from knowledge_kit.events.migrations import create_event_tables, drop_event_tables

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    create_event_tables(version=1)


def downgrade() -> None:
    drop_event_tables(version=1)
