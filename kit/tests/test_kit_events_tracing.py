"""A change's trace continues through its SQL, the outbox and Kafka into the consumer's handler."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from google.protobuf.wrappers_pb2 import StringValue
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from knowledge_kit.database import UnitOfWork, create_database_engine, session_factory
from knowledge_kit.events import ConsumedEvent, EventConsumer, Outbox, OutboxRelay, create_producer
from knowledge_kit.testing import unique_name

from .events_support import create_tables, eventually, note_topic, notes


async def test_the_trace_of_a_change_reaches_the_consumer_through_kafka_headers(
    sqlite_database_url: str,
    kafka_bootstrap: str,
    new_kafka_topic: Callable[..., Awaitable[str]],
    finished_spans: InMemorySpanExporter,
) -> None:
    engine = create_database_engine(sqlite_database_url)
    sessions = session_factory(engine)
    await create_tables(engine)
    topic = await new_kafka_topic("notes")

    with trace.get_tracer("test").start_as_current_span("CreateNote") as request_span:
        trace_id = request_span.get_span_context().trace_id
        async with UnitOfWork(sessions) as uow:
            await uow.session.execute(notes.insert().values(body="traced"))
            await Outbox("ms_test").record(
                uow.session, note_topic(topic), StringValue(value="traced"), subject="notes/1"
            )
            await uow.commit()

    producer = create_producer(kafka_bootstrap)
    await producer.start()
    try:
        assert await OutboxRelay(sessions, producer).publish_pending_events() == 1
    finally:
        await producer.stop()

    seen: list[int] = []

    async def apply(event: ConsumedEvent) -> None:
        seen.append(trace.get_current_span().get_span_context().trace_id)

    consumer = EventConsumer(
        service="ms_test",
        group_id=unique_name("group"),
        bootstrap=kafka_bootstrap,
        topics=[topic],
        sessions=sessions,
        handlers={StringValue: apply},
        dead_letter=f"{topic}.deadletter",
    )
    stop = asyncio.Event()
    running = asyncio.create_task(consumer.run(stop))

    async def handled() -> bool:
        return consumer.records_handled >= 1

    try:
        await eventually(handled, "the event was consumed")
    finally:
        stop.set()
        await running
    await engine.dispose()

    assert seen == [trace_id]
    in_trace = [s for s in finished_spans.get_finished_spans() if s.context.trace_id == trace_id]
    assert any(s.attributes and s.attributes.get("db.system") == "sqlite" for s in in_trace)
    assert any(s.kind is trace.SpanKind.CONSUMER for s in in_trace)
