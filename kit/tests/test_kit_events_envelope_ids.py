"""Envelopes: random version-4 UUIDs as ids (written as `str(uuid.uuid4())` writes them), the
event packed as a google.protobuf.Any, and the trace of the change when there is one."""

from __future__ import annotations

import uuid

from google.protobuf.wrappers_pb2 import StringValue
from opentelemetry import trace

from knowledge_kit.events.envelope import kafka_headers, new_envelopes


def test_envelopes_recorded_together_get_distinct_version_4_uuids() -> None:
    ids = [
        envelope.id
        for _ in range(200)
        for envelope in new_envelopes(
            [(StringValue(value=str(n)), f"notes/{n}") for n in range(50)], source="ms_test"
        )
    ]
    assert len(set(ids)) == 10_000
    for event_id in ids:
        parsed = uuid.UUID(event_id)
        assert str(parsed) == event_id
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    # Every random digit takes every value: the ids are not drawn from a narrower set.
    assert {event_id[0] for event_id in ids} == set("0123456789abcdef")
    assert {event_id[19] for event_id in ids} == set("89ab")


def test_an_envelopes_payload_is_the_event_packed_as_any() -> None:
    event = StringValue(value="packed")
    [envelope] = new_envelopes([(event, "notes/1")], source="ms_test")
    packed = StringValue()
    packed_any = type(envelope.payload)()
    packed_any.Pack(event)
    assert envelope.payload == packed_any
    assert envelope.payload.Unpack(packed) and packed == event


def test_an_envelope_carries_the_trace_of_its_change_and_none_without_one() -> None:
    [untraced] = new_envelopes([(StringValue(value="a"), "notes/1")], source="ms_test")
    assert not untraced.HasField("trace")
    assert [name for name, _ in kafka_headers(untraced)] == ["event-type"]

    span_context = trace.SpanContext(
        trace_id=0x4BF92F3577B34DA6A3CE929D0E0E4736,
        span_id=0x00F067AA0BA902B7,
        is_remote=False,
        trace_flags=trace.TraceFlags(trace.TraceFlags.SAMPLED),
    )
    with trace.use_span(trace.NonRecordingSpan(span_context)):
        [traced] = new_envelopes([(StringValue(value="b"), "notes/2")], source="ms_test")
    assert traced.trace.traceparent == "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    assert ("traceparent", traced.trace.traceparent.encode()) in kafka_headers(traced)
