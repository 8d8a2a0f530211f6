"""The service's tables: what Alembic migrates and the repositories query.

`answer_events` is the log of each answer's stream (question, sources, text, citations, the
answer): any instance can replay it to a reader whose stream dropped, and follow it live.
"""

from knowledge_kit.spaces.tables import space_memberships
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Table,
    Text,
)

metadata = MetaData()

# SQLite numbers an INTEGER PRIMARY KEY itself; PostgreSQL gets a 64-bit identity.
RowId = BigInteger().with_variant(Integer(), "sqlite")

conversations = Table(
    "conversations",
    metadata,
    Column("name", String(256), primary_key=True),
    Column("owner", String(160), nullable=False),
    Column("title", Text, nullable=False),
    # The spaces answers draw on, as a JSON array (empty: every space the owner can read).
    Column("spaces", Text, nullable=False),
    Column("archived", Boolean, nullable=False),
    Column("etag", String(32), nullable=False),
    Column("current_message", String(384), nullable=False),
    Column("create_time", DateTime(timezone=True), nullable=False),
    Column("update_time", DateTime(timezone=True), nullable=False),
)
Index(
    "ix_conversations_owner_listing",
    conversations.c.owner,
    conversations.c.archived,
    conversations.c.update_time,
    conversations.c.name,
)

messages = Table(
    "messages",
    metadata,
    # Creation order within the service: messages are listed oldest first by it.
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("name", String(384), nullable=False, unique=True),
    Column(
        "conversation",
        String(256),
        ForeignKey("conversations.name", ondelete="CASCADE"),
        nullable=False,
    ),
    # knowledge.chat.v1.MessageRole: 1 user, 2 assistant.
    Column("role", SmallInteger, nullable=False),
    Column("content", Text, nullable=False),
    Column("parent_message", String(384), nullable=False),
    # knowledge.chat.v1.AnswerStatus (0 for questions).
    Column("status", SmallInteger, nullable=False),
    # The asker asked an answer being produced to stop (read by whichever instance produces it).
    Column("stop_requested", Boolean, nullable=False),
    # Every field of each knowledge.chat.v1.Citation but `unavailable` (decided when read), as
    # a JSON array.
    Column("citations", Text, nullable=False),
    Column("model", String(256), nullable=False),
    Column("prompt_tokens", Integer, nullable=False),
    Column("completion_tokens", Integer, nullable=False),
    Column("passages", Integer, nullable=False),
    Column("first_token_ms", Integer, nullable=False),
    Column("total_ms", Integer, nullable=False),
    # knowledge.chat.v1.Rating (0: not rated).
    Column("rating", SmallInteger, nullable=False),
    Column("feedback_comment", Text, nullable=False),
    Column("feedback_time", DateTime(timezone=True), nullable=True),
    Column("create_time", DateTime(timezone=True), nullable=False),
    sqlite_autoincrement=True,
)
Index("ix_messages_conversation", messages.c.conversation, messages.c.id)

answer_events = Table(
    "answer_events",
    metadata,
    Column(
        "answer",
        String(384),
        ForeignKey("messages.name", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("sequence", Integer, primary_key=True, autoincrement=False),
    # question, sources, token, citation or answer.
    Column("kind", String(16), nullable=False),
    # JSON: the text of a token, the citations of sources and citation events, the message of
    # question and answer events.
    Column("payload", Text, nullable=False),
)

# The kit's projection of knowledge.spaces.v1 memberships, migrated with these tables.
space_memberships.to_metadata(metadata)
