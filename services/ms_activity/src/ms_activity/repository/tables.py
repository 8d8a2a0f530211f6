"""The service's tables in its SQL database: what Alembic migrates and the repositories query.

The activities themselves are in ClickHouse (`ms_activity.store`). Here: the kit's membership
projection of knowledge.spaces.v1 (who may see a space's timeline), and the erasures users
asked for (the operations GetErasureOperation answers). The kit's inbox, next to these, is what
turns a redelivered event away before it reaches the store.
"""

from knowledge_kit.spaces.tables import space_memberships
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

NAME = 512

erasures = Table(
    "erasures",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user", String(NAME), nullable=False),
    # ErasureState: 1 running, 2 succeeded, 3 failed.
    Column("state", SmallInteger, nullable=False),
    Column("erased_count", BigInteger, nullable=False),
    Column("error", Text, nullable=False),
    Column("requested_by", String(NAME), nullable=False),
    Column("requested_by_display_name", String(NAME), nullable=False),
    Column("create_time", DateTime(timezone=True), nullable=False),
    Column("end_time", DateTime(timezone=True), nullable=True),
)
Index("ix_erasures_state", erasures.c.state)

space_memberships.to_metadata(metadata)
