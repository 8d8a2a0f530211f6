"""The service's tables: what Alembic migrates and the repositories query."""

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

from .columns import UtcDateTime

# Named constraints let Alembic's batch mode rebuild SQLite tables without guessing names.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

users = Table(
    "users",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("email", String(254), nullable=False, unique=True),
    Column("display_name", String(100), nullable=False),
    Column("role", String(16), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("create_time", UtcDateTime, nullable=False),
    Column("update_time", UtcDateTime, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("user_agent", String(512), nullable=False),
    Column("ip_address", String(64), nullable=False),
    Column("create_time", UtcDateTime, nullable=False),
    Column("expire_time", UtcDateTime, nullable=False),
    Column("last_refresh_time", UtcDateTime, nullable=True),
    Column("revoke_time", UtcDateTime, nullable=True),
    Column("revocation_reason", String(32), nullable=True),
)
Index("ix_sessions_user_id_create_time", sessions.c.user_id, sessions.c.create_time)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("session_id", String(32), ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False),
    Column("issue_time", UtcDateTime, nullable=False),
    Column("expire_time", UtcDateTime, nullable=False),
    Column("exchange_time", UtcDateTime, nullable=True),
)
Index("ix_refresh_tokens_session_id", refresh_tokens.c.session_id)

sign_in_throttles = Table(
    "sign_in_throttles",
    metadata,
    Column("subject", String(320), primary_key=True),
    Column("failure_count", Integer, nullable=False),
    Column("first_failure_time", UtcDateTime, nullable=True),
    Column("locked_until", UtcDateTime, nullable=True),
)

signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),
    Column("algorithm", String(16), nullable=False),
    Column("private_key", LargeBinary, nullable=False),
    Column("activate_time", UtcDateTime, nullable=False),
)

service_accounts = Table(
    "service_accounts",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("display_name", String(100), nullable=False),
    Column("scopes", Text, nullable=False),
    Column("secret_hash", String(255), nullable=False),
    Column("create_time", UtcDateTime, nullable=False),
)
