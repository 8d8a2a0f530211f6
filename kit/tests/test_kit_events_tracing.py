"""A change's trace continues through its SQL, the outbox and Kafka into the consumer's handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from google.protobuf.wrappers_pb2 import StringValue
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from knowledge_kit.database import UnitOfWork
from knowledge_kit.events import ConsumedEvent, Outbox, OutboxRelay

from .events_support import consume, note_topic, notes, notes_database, running_producer


async def test_the_trace_of_a_change_reaches_the_consumer_through_kafka_headers(
    sqlite_database_url: str,
    kafka_bootstrap: str,
    new_kafka_topic: Callable[..., Awaitable[str]],
    finished_spans: InMemorySpanExporter,
) -> None:
    async with notes_database(sqlite_database_url) as sessions:
        topic = await new_kafka_topic("notes")

        with trace.get_tracer("test").start_as_current_span("CreateNote") as request_span:
            trace_id = request_span.get_span_context().trace_id
            async with UnitOfWork(sessions) as uow:
                await uow.session.execute(notes.insert().values(body="traced"))
                await Outbox("ms_test").record(
                    uow.session, note_topic(topic), StringValue(value="traced"), subject="notes/1"
                )
                await uow.commit()

        async with running_producer(kafka_bootstrap) as producer:
            assert await OutboxRelay(sessions, producer).publish_pending_events() == 1

        seen: list[int] = []

        async def apply(event: ConsumedEvent) -> None:
            seen.append(trace.get_current_span().get_span_context().trace_id)

        await consume(kafka_bootstrap, topic, sessions, {StringValue: apply}, records=1)

        assert seen == [trace_id]
        in_trace = [
            s for s in finished_spans.get_finished_spans() if s.context.trace_id == trace_id
        ]
        assert any(s.attributes and s.attributes.get("db.system") == "sqlite" for s in in_trace)
        assert any(s.kind is trace.SpanKind.CONSUMER for s in in_trace)
