"""Alembic environment of a service that keeps the space membership projection."""

from knowledge_kit.database.migrations import run_migrations
from knowledge_kit.events import EVENTS_METADATA
from knowledge_kit.spaces import SPACES_METADATA

run_migrations(target_metadata=[EVENTS_METADATA, SPACES_METADATA])
