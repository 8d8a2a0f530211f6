"""The service's tables: what Alembic migrates and the repositories query.

`chunks` is the record of the index: every passage of the indexed revision of each document,
with its vector, so the dense and lexical indexes can be rebuilt from it at any time.
"""

from knowledge_kit.spaces.tables import space_memberships
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

# SQLite numbers an INTEGER PRIMARY KEY itself; PostgreSQL gets a 64-bit identity.
ChunkId = BigInteger().with_variant(Integer(), "sqlite")

chunks = Table(
    "chunks",
    metadata,
    Column("id", ChunkId, primary_key=True, autoincrement=True),
    Column("document", String(512), nullable=False),
    Column("space", String(256), nullable=False),
    Column("revision", BigInteger, nullable=False),
    Column("ordinal", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("start_offset", Integer, nullable=False),
    Column("end_offset", Integer, nullable=False),
    # The headings above the passage, outermost first, as a JSON array.
    Column("heading_path", Text, nullable=False),
    Column("content_type", String(128), nullable=False),
    Column("embedding_model", String(256), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # float32 little-endian, L2-normalised.
    Column("vector", LargeBinary, nullable=False),
    # Ids are never reused (SQLite would hand a deleted row's id out again without this): the
    # in-memory indexes tell chunks apart by id alone.
    sqlite_autoincrement=True,
)
Index("ix_chunks_document", chunks.c.document)
Index("ix_chunks_embedding_model", chunks.c.embedding_model)
Index("ix_chunks_space", chunks.c.space)

indexed_documents = Table(
    "indexed_documents",
    metadata,
    Column("document", String(512), primary_key=True),
    Column("space", String(256), nullable=False),
    # knowledge.vector.v1.IndexState: 1 indexed, 2 failed, 3 deleted.
    Column("state", SmallInteger, nullable=False),
    Column("indexed_revision", BigInteger, nullable=False),
    Column("latest_revision", BigInteger, nullable=False),
    Column("embedding_model", String(256), nullable=False),
    Column("chunk_count", Integer, nullable=False),
    Column("last_error", Text, nullable=False),
    Column("status_time", DateTime(timezone=True), nullable=False),
)
Index("ix_indexed_documents_space", indexed_documents.c.space)

reindex_operations = Table(
    "reindex_operations",
    metadata,
    Column("name", String(512), primary_key=True),
    Column("space", String(256), nullable=False),
    # knowledge.vector.v1.ReindexState: 1 running, 2 succeeded, 3 failed.
    Column("state", SmallInteger, nullable=False),
    Column("documents_total", Integer, nullable=False),
    Column("documents_indexed", Integer, nullable=False),
    Column("documents_failed", Integer, nullable=False),
    Column("error", Text, nullable=False),
    Column("requested_by", String(512), nullable=False),
    Column("create_time", DateTime(timezone=True), nullable=False),
    Column("end_time", DateTime(timezone=True), nullable=True),
)
Index("ix_reindex_operations_space", reindex_operations.c.space)

# Index generations: one per embedding model version whose chunks are kept. One serves the
# searches; while the embedder's alias moves, another is built beside it (chunks.embedding_model
# tells their chunks apart), then takes over.
embedding_generations = Table(
    "embedding_generations",
    metadata,
    Column("model", String(256), primary_key=True),
    # ms_vector.domain.generations.GenerationState: 1 serving, 2 building, 3 failed, 4 retired.
    Column("state", SmallInteger, nullable=False),
    # The SHA-256 of the model's artifact as ms_ml registered it ("" for the shipped model).
    Column("sha256", String(64), nullable=False),
    Column("documents_total", Integer, nullable=False),
    Column("documents_done", Integer, nullable=False),
    Column("error", Text, nullable=False),
    Column("create_time", DateTime(timezone=True), nullable=False),
    Column("update_time", DateTime(timezone=True), nullable=False),
    # The instance building it and until when its lease holds (one builder at a time).
    Column("builder", String(256), nullable=False, server_default=""),
    Column("lease_until", DateTime(timezone=True), nullable=True),
)

# The kit's projection of knowledge.spaces.v1 memberships, migrated with these tables.
space_memberships.to_metadata(metadata)
