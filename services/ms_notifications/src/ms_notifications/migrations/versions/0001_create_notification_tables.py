"""Create the inboxes (notifications, their actors and numbered changes), deliveries,
preferences, unsubscribes, push subscriptions, the users and model owner projections, and the
kit's space membership projection.

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from knowledge_kit.spaces.migrations import (
    create_space_membership_tables,
    drop_space_membership_tables,
)

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = 512


def _time(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("recipient", sa.String(NAME), nullable=False),
        sa.Column("category", sa.SmallInteger(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(NAME), nullable=False),
        sa.Column("cause_event_id", sa.String(64), nullable=False),
        sa.Column("group_key", sa.String(NAME), nullable=False),
        sa.Column("actors", sa.Text(), nullable=False),
        sa.Column("actor_count", sa.Integer(), nullable=False),
        _time("create_time"),
        _time("update_time"),
        _time("activity_time"),
        _time("read_time", nullable=True),
        _time("seen_time", nullable=True),
        _time("archive_time", nullable=True),
        _time("snooze_until", nullable=True),
        sa.UniqueConstraint("recipient", "cause_event_id", name="uq_notifications_cause"),
    )
    op.create_index("ix_notifications_inbox", "notifications", ["recipient", "activity_time"])
    op.create_index("ix_notifications_group", "notifications", ["recipient", "group_key"])
    op.create_table(
        "notification_actors",
        sa.Column("notification_id", sa.String(32), primary_key=True),
        sa.Column("actor", sa.String(NAME), primary_key=True),
        _time("acted_at"),
    )
    op.create_table(
        "change_counters",
        sa.Column("user", sa.String(NAME), primary_key=True),
        sa.Column("last_sequence", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "notification_changes",
        sa.Column("user", sa.String(NAME), primary_key=True),
        sa.Column("sequence", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("notification_id", sa.String(32), nullable=False),
        sa.Column("kind", sa.SmallInteger(), nullable=False),
        _time("change_time"),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), primary_key=True),
        sa.Column("notification_id", sa.String(32), nullable=False),
        sa.Column("recipient", sa.String(NAME), nullable=False),
        sa.Column("channel", sa.SmallInteger(), nullable=False),
        sa.Column("state", sa.SmallInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        _time("next_attempt_at", nullable=True),
        _time("sent_at", nullable=True),
        sa.Column("digest", sa.String(NAME), nullable=False),
        _time("create_time"),
        _time("update_time"),
        sa.UniqueConstraint("notification_id", "channel", name="uq_deliveries_channel"),
    )
    op.create_index("ix_deliveries_due", "deliveries", ["state", "next_attempt_at"])
    op.create_index("ix_deliveries_recipient", "deliveries", ["recipient", "channel"])
    op.create_table(
        "preferences",
        sa.Column("user", sa.String(NAME), primary_key=True),
        sa.Column("email_address", sa.String(320), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("quiet_start_minute", sa.SmallInteger(), nullable=False),
        sa.Column("quiet_end_minute", sa.SmallInteger(), nullable=False),
        _time("update_time"),
    )
    op.create_table(
        "category_preferences",
        sa.Column("user", sa.String(NAME), primary_key=True),
        sa.Column("category", sa.SmallInteger(), primary_key=True),
        sa.Column("channels", sa.SmallInteger(), nullable=False),
        sa.Column("email_frequency", sa.SmallInteger(), nullable=False),
    )
    op.create_table(
        "email_unsubscribes",
        sa.Column("user", sa.String(NAME), primary_key=True),
        sa.Column("category", sa.SmallInteger(), primary_key=True),
        _time("create_time"),
    )
    op.create_table(
        "push_subscriptions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user", sa.String(NAME), nullable=False),
        sa.Column("endpoint", sa.String(2048), nullable=False),
        sa.Column("p256dh", sa.String(128), nullable=False),
        sa.Column("auth", sa.String(64), nullable=False),
        sa.Column("device_label", sa.String(200), nullable=False),
        _time("create_time"),
        sa.UniqueConstraint("endpoint", name="uq_push_subscriptions_endpoint"),
    )
    op.create_index("ix_push_subscriptions_user", "push_subscriptions", ["user", "create_time"])
    op.create_table(
        "users",
        sa.Column("user", sa.String(NAME), primary_key=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
    )
    op.create_table(
        "model_owners",
        sa.Column("model", sa.String(NAME), primary_key=True),
        sa.Column("owner", sa.String(NAME), nullable=False),
        sa.Column("display_name", sa.String(200), nullable=False),
    )
    create_space_membership_tables(version=1)


def downgrade() -> None:
    drop_space_membership_tables(version=1)
    op.drop_table("model_owners")
    op.drop_table("users")
    op.drop_index("ix_push_subscriptions_user", table_name="push_subscriptions")
    op.drop_table("push_subscriptions")
    op.drop_table("email_unsubscribes")
    op.drop_table("category_preferences")
    op.drop_table("preferences")
    op.drop_index("ix_deliveries_recipient", table_name="deliveries")
    op.drop_index("ix_deliveries_due", table_name="deliveries")
    op.drop_table("deliveries")
    op.drop_table("notification_changes")
    op.drop_table("change_counters")
    op.drop_table("notification_actors")
    op.drop_index("ix_notifications_group", table_name="notifications")
    op.drop_index("ix_notifications_inbox", table_name="notifications")
    op.drop_table("notifications")
