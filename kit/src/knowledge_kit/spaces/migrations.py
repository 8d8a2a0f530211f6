"""The membership table in a service's Alembic migrations, by the version of its DDL.

from knowledge_kit.spaces.migrations import (
    create_space_membership_tables,
    drop_space_membership_tables,
)

def upgrade() -> None:
    create_space_membership_tables(version=1)

def downgrade() -> None:
    drop_space_membership_tables(version=1)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

VERSIONS = (1,)
"""Versions of the table's DDL; `SPACES_METADATA` declares the newest."""


def create_space_membership_tables(*, version: int) -> None:
    """Create `space_memberships` as `version` of the kit declares it."""
    _check(version)
    op.create_table(
        "space_memberships",
        sa.Column("space", sa.String(512), primary_key=True),
        sa.Column("member", sa.String(512), primary_key=True),
        sa.Column("role", sa.SmallInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_space_memberships_member", "space_memberships", ["member"])


def drop_space_membership_tables(*, version: int) -> None:
    """Drop what `create_space_membership_tables(version=version)` created."""
    _check(version)
    op.drop_index("ix_space_memberships_member", table_name="space_memberships")
    op.drop_table("space_memberships")


def _check(version: int) -> None:
    if version not in VERSIONS:
        known = ", ".join(str(known) for known in VERSIONS)
        raise ValueError(f"space membership tables version {version} is unknown (known: {known})")
