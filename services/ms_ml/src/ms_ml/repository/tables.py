"""The service's tables: what Alembic migrates and the repositories query."""

from sqlalchemy import Column, MetaData, String, Table, Text

metadata = MetaData()

notes = Table(
    "notes",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("body", Text, nullable=False),
    Column("etag", String(32), nullable=False),
)
