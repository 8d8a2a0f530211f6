"""The service's tables in its SQL database: what Alembic migrates and the repositories query.

The activities themselves are in ClickHouse (`ms_activity.store`). Here: the activities consumed
events gave, written with the consumer's transaction and waiting to be forwarded to the store
(`pending_activities`); the kit's membership projection of knowledge.spaces.v1 (who may see a
space's timeline); the erasures users asked for (the operations GetErasureOperation
answers); and how many activities each user reported in the current minute (`record_quotas`,
shared by every instance). The kit's inbox, next to these, turns a redelivered event away.
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

pending_activities = Table(
    "pending_activities",
    metadata,
    # The order they were committed in (forwarded oldest first).
    Column("seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    # The activity as JSON (ms_activity.repository.pending).
    Column("body", Text, nullable=False),
)

record_quotas = Table(
    "record_quotas",
    metadata,
    Column("actor", String(NAME), primary_key=True),
    # The minute counted, as the epoch second it starts at.
    Column("window_start", BigInteger, primary_key=True),
    Column("recorded", Integer, nullable=False),
)
Index("ix_record_quotas_window_start", record_quotas.c.window_start)

space_memberships.to_metadata(metadata)
