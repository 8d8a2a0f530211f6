"""Shared fixtures of the kit's own tests (the public ones come from knowledge_kit.testing)."""

from __future__ import annotations

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

_exporter = InMemorySpanExporter()


@pytest.fixture(params=["sqlite", "postgresql"])
def each_database_url(request: pytest.FixtureRequest) -> str:
    """A fresh, empty database of each backend in turn: SQLite, then PostgreSQL."""
    fixture = "sqlite_database_url" if request.param == "sqlite" else "postgres_database_url"
    return str(request.getfixturevalue(fixture))


@pytest.fixture(scope="session")
def finished_spans() -> InMemorySpanExporter:
    """Every span recorded in this test process (filter by trace id)."""
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    provider.add_span_processor(SimpleSpanProcessor(_exporter))
    return _exporter
