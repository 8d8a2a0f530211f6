"""The kit's event tables and the space membership projection, as a service creates them."""

from knowledge_kit.events.migrations import create_event_tables, drop_event_tables
from knowledge_kit.spaces.migrations import (
    create_space_membership_tables,
    drop_space_membership_tables,
)

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_event_tables(version=2)
    create_space_membership_tables(version=1)


def downgrade() -> None:
    drop_space_membership_tables(version=1)
    drop_event_tables(version=2)
