"""The service's tables: what Alembic migrates and the repositories query (the kit's outbox and
inbox tables, EVENTS_METADATA, are migrated next to them)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC timestamp on both backends (SQLite hands back naive values)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData()

NAME = String(200)
USER = String(140)

spaces = Table(
    "spaces",
    metadata,
    Column("name", NAME, primary_key=True),
    Column("display_name", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("create_time", UtcDateTime, nullable=False),
    Column("update_time", UtcDateTime, nullable=False),
    Column("etag", String(32), nullable=False),
)

space_members = Table(
    "space_members",
    metadata,
    Column("space", NAME, ForeignKey("spaces.name", ondelete="CASCADE"), primary_key=True),
    Column("user", USER, primary_key=True),
    Column("role", SmallInteger, nullable=False),
    Column("create_time", UtcDateTime, nullable=False),
    Column("invited_by", USER, nullable=False),
)
Index("ix_space_members_user", space_members.c.user)

documents = Table(
    "documents",
    metadata,
    Column("name", NAME, primary_key=True),
    Column("space", NAME, ForeignKey("spaces.name", ondelete="CASCADE"), nullable=False),
    Column("title", String(300), nullable=False),
    Column("content", Text, nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("revision", BigInteger, nullable=False),
    Column("etag", String(32), nullable=False),
    Column("create_time", UtcDateTime, nullable=False),
    Column("update_time", UtcDateTime, nullable=False),
    Column("creator", USER, nullable=False),
    Column("last_editor", USER, nullable=False),
)
Index("ix_documents_space_update_time", documents.c.space, documents.c.update_time)

document_versions = Table(
    "document_versions",
    metadata,
    Column("document", NAME, ForeignKey("documents.name", ondelete="CASCADE"), primary_key=True),
    Column("revision", BigInteger, primary_key=True, autoincrement=False),
    Column("title", String(300), nullable=False),
    Column("content", Text, nullable=False),
    Column("content_type", String(64), nullable=False),
    Column("author", USER, nullable=False),
    Column("create_time", UtcDateTime, nullable=False),
    Column("restored_from_revision", BigInteger, nullable=False),
)
