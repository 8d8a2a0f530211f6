"""The platform's event envelope (knowledge.common.v1.EventEnvelope) and its Kafka headers."""

from __future__ import annotations

import os
from collections.abc import Iterable
from datetime import UTC, datetime

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.common.v1 import event_envelope_pb2

from knowledge_kit.observability.tracing import inject_trace_context

EventEnvelope = event_envelope_pb2.EventEnvelope
TraceContext = event_envelope_pb2.TraceContext
TYPE_HEADER = "event-type"
_TYPE_URL_PREFIX = "type.googleapis.com/"  # google.protobuf.Any's, as Pack writes it


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
    and the trace context are read once for all of them (a fifth of the cost of each), and the
    random source once for all their ids (`uuid4` reads it per id: 2.1 us an id against 0.5)."""
    pairs = list(events_with_subjects)
    ids = new_event_ids(len(pairs))
    stamp = Timestamp()
    stamp.FromDatetime(time or datetime.now(UTC))
    carrier: dict[str, str] = {}
    inject_trace_context(carrier)
    # No trace, no `trace` field: copying an empty one into each envelope cost a quarter of it.
    trace = (
        TraceContext(
            traceparent=carrier.get("traceparent", ""), tracestate=carrier.get("tracestate", "")
        )
        if carrier
        else None
    )
    envelopes = []
    for (event, subject), event_id in zip(pairs, ids, strict=True):
        if not subject:
            raise ValueError(
                f"an event needs a subject (the resource it is about), got {subject!r}"
            )
        event_type = event.DESCRIPTOR.full_name
        envelope = EventEnvelope(
            id=event_id, type=event_type, source=source, subject=subject, time=stamp, trace=trace
        )
        # What `payload.Pack(event)` writes, without its Python-level checks (a quarter of the
        # cost of an envelope).
        envelope.payload.type_url = _TYPE_URL_PREFIX + event_type
        envelope.payload.value = event.SerializeToString()
        envelopes.append(envelope)
    return envelopes


def new_event_ids(count: int) -> list[str]:
    """`count` random UUIDs (version 4, as `str(uuid.uuid4())` writes them) from one read of the
    system's random source."""
    random_bytes = os.urandom(16 * count).hex()
    ids = []
    for start in range(0, 32 * count, 32):
        digits = random_bytes[start : start + 32]
        variant = "89ab"[int(digits[16], 16) & 3]  # the RFC 4122 variant: 10 in the top bits
        ids.append(
            f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:]}"
        )
    return ids


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
