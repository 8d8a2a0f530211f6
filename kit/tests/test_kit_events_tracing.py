"""A change's trace continues through its SQL, the outbox and Kafka into the consumer's handler;
a record is traced as an RPC is sampled: its caller's decision stands, and a record of no trace is a
root sampled at the service's ratio."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable, Iterator

import pytest
from google.protobuf.wrappers_pb2 import StringValue
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from knowledge_kit.database import UnitOfWork
from knowledge_kit.events import ConsumedEvent, Outbox, OutboxRelay
from knowledge_kit.observability import sampling

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


async def _consumed_span(
    database_url: str,
    bootstrap: str,
    topic: str,
    recorded_in: contextlib.AbstractContextManager[object],
) -> trace.SpanContext:
    """Record one event inside `recorded_in`, relay and consume it: the span context its handler
    ran in."""
    async with notes_database(database_url) as sessions:
        with recorded_in:
            async with UnitOfWork(sessions) as uow:
                await Outbox("ms_test").record(
                    uow.session, note_topic(topic), StringValue(value="n"), subject="notes/1"
                )
                await uow.commit()
        async with running_producer(bootstrap) as producer:
            assert await OutboxRelay(sessions, producer).publish_pending_events() == 1
        seen: list[trace.SpanContext] = []

        async def apply(event: ConsumedEvent) -> None:
            seen.append(trace.get_current_span().get_span_context())

        await consume(bootstrap, topic, sessions, {StringValue: apply}, records=1)
    [span_context] = seen
    return span_context


@contextlib.contextmanager
def _unsampled_trace(trace_id: int) -> Iterator[object]:
    parent = SpanContext(trace_id, 0x1234, is_remote=False, trace_flags=TraceFlags(0))
    with trace.use_span(NonRecordingSpan(parent)):
        yield parent


def _consumer_spans(spans: InMemorySpanExporter, topic: str) -> list[object]:
    return [s for s in spans.get_finished_spans() if s.name == f"{topic} process"]


@pytest.mark.parametrize(
    ("record_of", "root_ratio", "traced"),
    [
        ("no trace", 0.0, False),  # a root the service's ratio does not pick
        ("no trace", 1.0, True),  # a root it picks
        ("an unsampled trace", 1.0, False),  # the caller's decision wins over the ratio
    ],
)
async def test_a_record_is_traced_as_an_rpc_is_sampled(
    record_of: str,
    root_ratio: float,
    traced: bool,
    monkeypatch: pytest.MonkeyPatch,
    sqlite_database_url: str,
    kafka_bootstrap: str,
    new_kafka_topic: Callable[..., Awaitable[str]],
    finished_spans: InMemorySpanExporter,
) -> None:
    monkeypatch.setattr(sampling, "root_ratio", root_ratio)
    topic = await new_kafka_topic("sampling")
    recorded_in = contextlib.nullcontext() if record_of == "no trace" else _unsampled_trace(0xABC)
    handled_in = await _consumed_span(sqlite_database_url, kafka_bootstrap, topic, recorded_in)
    assert handled_in.is_valid is traced
    assert len(_consumer_spans(finished_spans, topic)) == (1 if traced else 0)
