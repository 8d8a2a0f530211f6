"""Engines tuned per backend, and the session factory every repository uses."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import StaticPool

from knowledge_kit.database.checkout_ping import ping_on_checkout

SUPPORTED_DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")


def create_database_engine(url: str, *, echo: bool = False, traced: bool = True) -> AsyncEngine:
    """An async engine for `sqlite+aiosqlite://...` or `postgresql+asyncpg://...`.

    SQLite gets foreign keys and WAL; an in-memory SQLite database is one shared connection.
    With `traced`, every statement becomes an OpenTelemetry span under the current one.
    """
    parsed = make_url(url)
    if parsed.drivername not in SUPPORTED_DRIVERS:
        raise ValueError(
            f"database URL driver {parsed.drivername!r} is not supported: "
            f"use one of {', '.join(SUPPORTED_DRIVERS)}"
        )
    options: dict[str, Any] = {"echo": echo}
    if parsed.drivername.startswith("sqlite"):
        if parsed.database in (None, "", ":memory:"):
            options.update(poolclass=StaticPool, connect_args={"check_same_thread": False})
        engine = create_async_engine(url, **options)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    else:
        engine = create_async_engine(url, pool_size=5, max_overflow=10, **options)
        ping_on_checkout(engine)
    if traced:
        _instrument(engine)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose objects stay readable after commit (no lazy reload in async code)."""
    return async_sessionmaker(engine, expire_on_commit=False)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _instrument(engine: AsyncEngine) -> None:
    # SQLAlchemyInstrumentor().instrument(engine=...) works once per process (the instrumentor is
    # a singleton), and every service or test makes several engines: trace each one directly.
    from opentelemetry import trace

    from knowledge_kit.database.statement_spans import SampledStatementTracer

    tracer = trace.get_tracer("knowledge_kit.database")
    SampledStatementTracer(tracer, engine.sync_engine, _connections_counter())  # type: ignore[no-untyped-call]


@functools.cache
def _connections_counter() -> Any:
    from opentelemetry import metrics

    return metrics.get_meter("knowledge_kit.database").create_up_down_counter(
        name="db.client.connections.usage",
        unit="connections",
        description="Connections by state (idle or used).",
    )
