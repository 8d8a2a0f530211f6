"""SQLAlchemy 2 async on SQLite (aiosqlite) or PostgreSQL (asyncpg): engine, unit of work, Alembic."""

from knowledge_kit.database.after_commit import after_commit
from knowledge_kit.database.engine import create_database_engine, session_factory
from knowledge_kit.database.staged_inserts import stage_insert, write_staged
from knowledge_kit.database.unit_of_work import UnitOfWork

__all__ = [
    "UnitOfWork",
    "after_commit",
    "create_database_engine",
    "session_factory",
    "stage_insert",
    "write_staged",
]
