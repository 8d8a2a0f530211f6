"""The platform's event envelope (knowledge.common.v1.EventEnvelope) and its Kafka headers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.common.v1 import event_envelope_pb2

from knowledge_kit.observability.tracing import inject_trace_context

EventEnvelope = event_envelope_pb2.EventEnvelope
TraceContext = event_envelope_pb2.TraceContext
TYPE_HEADER = "event-type"


def new_envelope(
    event: Message, *, source: str, subject: str, time: datetime | None = None
) -> event_envelope_pb2.EventEnvelope:
    """Wrap `event` for `subject` (the Kafka key), stamped with a fresh id and the current trace."""
    [envelope] = new_envelopes([(event, subject)], source=source, time=time)
    return envelope


def new_envelopes(
    events_with_subjects: Iterable[tuple[Message, str]],
    *,
    source: str,
    time: datetime | None = None,
) -> list[event_envelope_pb2.EventEnvelope]:
    """`new_envelope` for each (event, subject), recorded at one moment in one trace: the clock
    and the trace context are read once for all of them (a fifth of the cost of each)."""
    stamp = Timestamp()
    stamp.FromDatetime(time or datetime.now(UTC))
    carrier: dict[str, str] = {}
    inject_trace_context(carrier)
    trace = TraceContext(
        traceparent=carrier.get("traceparent", ""), tracestate=carrier.get("tracestate", "")
    )
    envelopes = []
    for event, subject in events_with_subjects:
        if not subject:
            raise ValueError(
                f"an event needs a subject (the resource it is about), got {subject!r}"
            )
        envelope = EventEnvelope(
            id=str(uuid.uuid4()),
            type=event.DESCRIPTOR.full_name,
            source=source,
            subject=subject,
            time=stamp,
            trace=trace,
        )
        envelope.payload.Pack(event)
        envelopes.append(envelope)
    return envelopes


def kafka_headers(envelope: event_envelope_pb2.EventEnvelope) -> list[tuple[str, bytes]]:
    """Headers a record carries: its event type and the W3C trace context of the change."""
    headers = [(TYPE_HEADER, envelope.type.encode())]
    if envelope.trace.traceparent:
        headers.append(("traceparent", envelope.trace.traceparent.encode()))
    if envelope.trace.tracestate:
        headers.append(("tracestate", envelope.trace.tracestate.encode()))
    return headers


def payload_type(envelope: event_envelope_pb2.EventEnvelope) -> str:
    """The full message name of the envelope's payload."""
    return envelope.payload.TypeName()
