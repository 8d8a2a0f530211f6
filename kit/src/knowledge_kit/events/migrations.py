"""The outbox and inbox tables in a service's Alembic migrations, by the version of their DDL.

A migration must create the same tables whenever it runs, so it names the version it was written
for instead of copying the DDL (or deriving it from `EVENTS_METADATA`, which follows the kit):

    from knowledge_kit.events.migrations import create_event_tables, drop_event_tables

    def upgrade() -> None:
        create_event_tables(version=1)

    def downgrade() -> None:
        drop_event_tables(version=1)

A later version of the tables comes with the migration step from the one before it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

VERSIONS = (1,)
"""Versions of the event tables' DDL; `EVENTS_METADATA` declares the newest."""


def create_event_tables(*, version: int) -> None:
    """Create `outbox_events` and `inbox_events` as `version` of the kit declares them."""
    _check(version)
    timestamp = sa.DateTime(timezone=True)
    op.create_table(
        "outbox_events",
        sa.Column(
            "position",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column("event_id", sa.String(36), nullable=False, unique=True),
        sa.Column("topic", sa.String(249), nullable=False),
        sa.Column("subject", sa.String(512), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", timestamp, nullable=False, server_default=sa.func.now()),
        sa.Column("sent_at", timestamp, nullable=True),
    )
    op.create_index(
        "ix_outbox_events_unsent",
        "outbox_events",
        ["position"],
        postgresql_where=sa.text("sent_at IS NULL"),
    )
    op.create_table(
        "inbox_events",
        sa.Column("consumer_group", sa.String(255), primary_key=True),
        sa.Column("event_id", sa.String(36), primary_key=True),
        sa.Column("topic", sa.String(249), nullable=False),
        sa.Column("processed_at", timestamp, nullable=False, server_default=sa.func.now()),
    )


def drop_event_tables(*, version: int) -> None:
    """Drop the tables `create_event_tables(version=version)` created."""
    _check(version)
    op.drop_table("inbox_events")
    op.drop_index("ix_outbox_events_unsent", table_name="outbox_events")
    op.drop_table("outbox_events")


def _check(version: int) -> None:
    if version not in VERSIONS:
        raise ValueError(
            f"the kit has no version {version} of the event tables (known: "
            f"{', '.join(map(str, VERSIONS))}); upgrade knowledge-kit"
        )
