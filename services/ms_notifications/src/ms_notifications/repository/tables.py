"""The service's tables: what Alembic migrates and the repositories query.

`notifications` is each user's inbox; `deliveries` is one row per notification and channel
(in-app, email, push) with its attempts; `notification_changes` numbers every change of a
user's inbox (`change_counters` hands out the numbers), which is what a stream's cursor names.
`users` and `model_owners` are projections of auth.users.v1 and ml.models.v1: who to address,
and whom a model's training and promotions concern.
"""

from knowledge_kit.spaces.tables import space_memberships
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

NAME = 512

notifications = Table(
    "notifications",
    metadata,
    # The id in users/{user}/notifications/{id}: 32 hex digits.
    Column("id", String(32), primary_key=True),
    Column("recipient", String(NAME), nullable=False),
    # knowledge.notifications.v1.NotificationCategory.
    Column("category", SmallInteger, nullable=False),
    Column("title", Text, nullable=False),
    Column("body", Text, nullable=False),
    # The resource to open, e.g. spaces/s1/documents/d1.
    Column("link", String(NAME), nullable=False),
    # The EventEnvelope.id of the event that caused it (the latest one, for a group).
    Column("cause_event_id", String(64), nullable=False),
    # "" when it is not grouped.
    Column("group_key", String(NAME), nullable=False),
    # The most recent actors, most recent first, as a JSON array (at most 5).
    Column("actors", Text, nullable=False),
    Column("actor_count", Integer, nullable=False),
    Column("create_time", DateTime(timezone=True), nullable=False),
    Column("update_time", DateTime(timezone=True), nullable=False),
    # When it last had news (created, or a new actor joined its group): the inbox's order.
    Column("activity_time", DateTime(timezone=True), nullable=False),
    Column("read_time", DateTime(timezone=True), nullable=True),
    Column("seen_time", DateTime(timezone=True), nullable=True),
    Column("archive_time", DateTime(timezone=True), nullable=True),
    Column("snooze_until", DateTime(timezone=True), nullable=True),
    # One notification per (cause event, recipient), whatever Kafka redelivers.
    UniqueConstraint("recipient", "cause_event_id", name="uq_notifications_cause"),
)
Index("ix_notifications_inbox", notifications.c.recipient, notifications.c.activity_time)
Index("ix_notifications_group", notifications.c.recipient, notifications.c.group_key)
# Snoozed ones by the end of their snooze, for the check that brings them back.
Index("ix_notifications_snoozed", notifications.c.snooze_until)

# Every distinct user who acted in a notification's group, for its actor_count.
notification_actors = Table(
    "notification_actors",
    metadata,
    Column("notification_id", String(32), primary_key=True),
    Column("actor", String(NAME), primary_key=True),
    Column("acted_at", DateTime(timezone=True), nullable=False),
)

# The last change number handed out per user; its row is locked by the transaction that takes
# the next number, so a user's changes commit in the order of their numbers.
change_counters = Table(
    "change_counters",
    metadata,
    Column("user", String(NAME), primary_key=True),
    Column("last_sequence", BigInteger, nullable=False),
)

notification_changes = Table(
    "notification_changes",
    metadata,
    Column("user", String(NAME), primary_key=True),
    Column("sequence", BigInteger, primary_key=True, autoincrement=False),
    Column("notification_id", String(32), nullable=False),
    # 1 created, 2 updated (grouped, read, archived, ...).
    Column("kind", SmallInteger, nullable=False),
    Column("change_time", DateTime(timezone=True), nullable=False),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("notification_id", String(32), nullable=False),
    Column("recipient", String(NAME), nullable=False),
    # knowledge.notifications.v1.NotificationChannel.
    Column("channel", SmallInteger, nullable=False),
    # knowledge.notifications.v1.DeliveryState.
    Column("state", SmallInteger, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True), nullable=True),
    Column("sent_at", DateTime(timezone=True), nullable=True),
    # users/{user}/digests/{digest} of the digest mail it went out in; "" otherwise.
    Column("digest", String(NAME), nullable=False),
    Column("create_time", DateTime(timezone=True), nullable=False),
    Column("update_time", DateTime(timezone=True), nullable=False),
    UniqueConstraint("notification_id", "channel", name="uq_deliveries_channel"),
)
Index("ix_deliveries_due", deliveries.c.state, deliveries.c.next_attempt_at)
Index("ix_deliveries_recipient", deliveries.c.recipient, deliveries.c.channel)

preferences = Table(
    "preferences",
    metadata,
    Column("user", String(NAME), primary_key=True),
    # "" sends to the account's email.
    Column("email_address", String(320), nullable=False),
    # IANA name; "" is UTC.
    Column("time_zone", String(64), nullable=False),
    # Minutes after local midnight; equal means no quiet hours.
    Column("quiet_start_minute", SmallInteger, nullable=False),
    Column("quiet_end_minute", SmallInteger, nullable=False),
    Column("update_time", DateTime(timezone=True), nullable=False),
)

category_preferences = Table(
    "category_preferences",
    metadata,
    Column("user", String(NAME), primary_key=True),
    Column("category", SmallInteger, primary_key=True),
    # Bit (1 << channel) per NotificationChannel.
    Column("channels", SmallInteger, nullable=False),
    # knowledge.notifications.v1.EmailFrequency.
    Column("email_frequency", SmallInteger, nullable=False),
)

email_unsubscribes = Table(
    "email_unsubscribes",
    metadata,
    Column("user", String(NAME), primary_key=True),
    Column("category", SmallInteger, primary_key=True),
    Column("create_time", DateTime(timezone=True), nullable=False),
)

push_subscriptions = Table(
    "push_subscriptions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user", String(NAME), nullable=False),
    # A browser's endpoint is one device: registering it again (by anyone) replaces it.
    Column("endpoint", String(2048), nullable=False),
    Column("p256dh", String(128), nullable=False),
    Column("auth", String(64), nullable=False),
    Column("device_label", String(200), nullable=False),
    Column("create_time", DateTime(timezone=True), nullable=False),
    UniqueConstraint("endpoint", name="uq_push_subscriptions_endpoint"),
)
Index("ix_push_subscriptions_user", push_subscriptions.c.user, push_subscriptions.c.create_time)

users = Table(
    "users",
    metadata,
    Column("user", String(NAME), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("display_name", String(200), nullable=False),
)

model_owners = Table(
    "model_owners",
    metadata,
    Column("model", String(NAME), primary_key=True),
    Column("owner", String(NAME), nullable=False),
    Column("display_name", String(200), nullable=False),
)

# The kit's projection of knowledge.spaces.v1 memberships, migrated with these tables.
space_memberships.to_metadata(metadata)
