"""Alembic environment of the kit's sample migrations: what a service's env.py looks like."""

from knowledge_kit.database.migrations import run_migrations
from knowledge_kit.events import EVENTS_METADATA

run_migrations(target_metadata=[EVENTS_METADATA])
