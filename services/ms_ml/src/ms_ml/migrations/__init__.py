"""Alembic migrations of the service's database; versions/ holds the service's own revisions."""
