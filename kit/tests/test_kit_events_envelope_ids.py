"""Envelopes: random version-4 UUIDs as ids (written as `str(uuid.uuid4())` writes them), and
the event packed as a google.protobuf.Any."""

from __future__ import annotations

import uuid

from google.protobuf.wrappers_pb2 import StringValue

from knowledge_kit.events.envelope import new_envelopes


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
