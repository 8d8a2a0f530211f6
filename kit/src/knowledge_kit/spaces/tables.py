"""The membership projection's table. Add SPACES_METADATA to a service's Alembic target metadata."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, MetaData, SmallInteger, String, Table

SPACES_METADATA = MetaData()

space_memberships = Table(
    "space_memberships",
    SPACES_METADATA,
    Column("space", String(512), primary_key=True),
    Column("member", String(512), primary_key=True),
    # knowledge.knowledge.v1.SpaceRole: 1 viewer, 2 editor, 3 owner.
    Column("role", SmallInteger, nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
)
Index("ix_space_memberships_member", space_memberships.c.member)
