"""The outbox and inbox tables, version 2 of their DDL (`knowledge_kit.events.migrations`). Add
EVENTS_METADATA to a service's Alembic target metadata."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    func,
)

EVENTS_METADATA = MetaData()

outbox_events = Table(
    "outbox_events",
    EVENTS_METADATA,
    # Relay order: the order state changes committed their events in.
    Column(
        "position",
        BigInteger().with_variant(Integer, "sqlite"),
        primary_key=True,
        autoincrement=True,
    ),
    # Random, and not unique-indexed: the inbox is what applies an event once (this index and
    # one of unsent positions, written and cleaned up for every event, took a quarter of
    # PostgreSQL's CPU per event recorded).
    Column("event_id", String(36), nullable=False),
    Column("topic", String(249), nullable=False),
    Column("subject", String(512), nullable=False),
    Column("envelope", LargeBinary, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    # Set by relays before kit 1.19, which kept what they published (one may still run during an
    # upgrade); the relay now deletes an event once Kafka has acknowledged it, and deletes a row
    # that has `sent_at` set without publishing it.
    Column("sent_at", DateTime(timezone=True), nullable=True),
)

inbox_events = Table(
    "inbox_events",
    EVENTS_METADATA,
    Column("consumer_group", String(255), primary_key=True),
    Column("event_id", String(36), primary_key=True),
    Column("topic", String(249), nullable=False),
    Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
