"""The outbox and inbox tables in a service's Alembic migrations, by the version of their DDL.

A migration must create the same tables whenever it runs, so it names the version it was written
for instead of copying the DDL (or deriving it from `EVENTS_METADATA`, which follows the kit):

    from knowledge_kit.events.migrations import create_event_tables, drop_event_tables

    def upgrade() -> None:
        create_event_tables(version=1)

    def downgrade() -> None:
        drop_event_tables(version=1)

A later version of the tables comes with the migration step from the one before it; a service
whose tables are of an earlier version adds a migration that moves them:

    def upgrade() -> None:
        migrate_event_tables(from_version=1, to_version=2)

    def downgrade() -> None:
        migrate_event_tables(from_version=2, to_version=1)

Version 2 (kit 1.20): the outbox keeps no unique index on `event_id` and no partial index of
unsent positions. It holds only what is still to be published (the relay deletes what Kafka
acknowledged), in the order of its primary key, and every index is written for each event
recorded and cleaned up for each one deleted: the two took a quarter of PostgreSQL's CPU per
event recorded. An event's id is random and the inbox, not the outbox, is what keeps an event
from being applied twice. `sent_at` stays for relays of kits before 1.19 during an upgrade.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

VERSIONS = (1, 2)
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
        sa.Column("event_id", sa.String(36), nullable=False, unique=version == 1),
        sa.Column("topic", sa.String(249), nullable=False),
        sa.Column("subject", sa.String(512), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", timestamp, nullable=False, server_default=sa.func.now()),
        sa.Column("sent_at", timestamp, nullable=True),
    )
    if version == 1:
        _create_unsent_index()
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
    if version == 1:
        op.drop_index(_UNSENT_INDEX, table_name="outbox_events")
    op.drop_table("outbox_events")


def migrate_event_tables(*, from_version: int, to_version: int) -> None:
    """Move the event tables from `from_version` to `to_version` (either way), a version at a
    time; what the outbox and the inbox hold stays."""
    _check(from_version)
    _check(to_version)
    if from_version < to_version:
        for version in range(from_version, to_version):
            _UPGRADES[version]()
    else:
        for version in range(from_version, to_version, -1):
            _DOWNGRADES[version]()


_UNSENT_INDEX = "ix_outbox_events_unsent"
_EVENT_ID_UNIQUE = "outbox_events_event_id_key"  # the name PostgreSQL gives it in version 1
# SQLite keeps the constraint of version 1 unnamed; batch mode names what it reflects by this.
_SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _create_unsent_index() -> None:
    op.create_index(
        _UNSENT_INDEX, "outbox_events", ["position"], postgresql_where=sa.text("sent_at IS NULL")
    )


def _upgrade_to_2() -> None:
    op.drop_index(_UNSENT_INDEX, table_name="outbox_events")
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        for unique in sa.inspect(bind).get_unique_constraints("outbox_events"):
            if unique["column_names"] == ["event_id"] and unique["name"]:
                op.drop_constraint(unique["name"], "outbox_events", type_="unique")
        return
    # SQLite drops no constraint: batch mode copies the table (and its rows) without it.
    with op.batch_alter_table(
        "outbox_events", recreate="always", naming_convention=_SQLITE_NAMES
    ) as batch:
        batch.drop_constraint("uq_outbox_events_event_id", type_="unique")


def _downgrade_to_1() -> None:
    with op.batch_alter_table("outbox_events") as batch:  # SQLite: a copy of the table
        batch.create_unique_constraint(_EVENT_ID_UNIQUE, ["event_id"])
    _create_unsent_index()


_UPGRADES = {1: _upgrade_to_2}  # from a version to the next
_DOWNGRADES = {2: _downgrade_to_1}  # from a version to the one before


def _check(version: int) -> None:
    if version not in VERSIONS:
        raise ValueError(
            f"the kit has no version {version} of the event tables (known: "
            f"{', '.join(map(str, VERSIONS))}); upgrade knowledge-kit"
        )
