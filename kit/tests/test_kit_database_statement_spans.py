"""A statement gets a span inside a recorded span only: never an orphan root of its own."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import text

from knowledge_kit.database import create_database_engine


async def test_statements_are_traced_inside_a_recorded_span_only(
    sqlite_database_url: str, finished_spans: InMemorySpanExporter
) -> None:
    engine = create_database_engine(sqlite_database_url)

    async def run(marker: str) -> None:
        async with engine.connect() as connection:
            await connection.execute(text(f"SELECT '{marker}'"))

    try:
        await run("outside any span")
        with trace.get_tracer("test").start_as_current_span("GetNote"):
            await run("inside a recorded span")
    finally:
        await engine.dispose()

    statements = [
        str(span.attributes.get("db.statement"))
        for span in finished_spans.get_finished_spans()
        if span.attributes and span.attributes.get("db.system") == "sqlite"
    ]
    assert any("inside a recorded span" in statement for statement in statements)
    assert not any("outside any span" in statement for statement in statements)
