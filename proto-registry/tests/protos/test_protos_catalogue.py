"""The registry lints clean, topics.yaml and the event messages agree, and the installed package is current."""

from __future__ import annotations

from pathlib import Path

import knowledge.common
from fleet.protos.buf import lint_violations, write_image
from fleet.protos.layout import RegistryLayout
from fleet.topics import load_topics
from google.protobuf import any_pb2, descriptor_pb2, symbol_database
from google.protobuf.timestamp_pb2 import Timestamp
from knowledge import topics
from knowledge.common.v1 import event_envelope_pb2
from knowledge.knowledge.v1 import events_pb2

from .conftest import PLATFORM_ROOT

REGISTRY = RegistryLayout(PLATFORM_ROOT)


def compiled_messages(tmp_path: Path) -> dict[str, str]:
    """Full name -> file of every message the registry declares at top level."""
    image = tmp_path / "image.binpb"
    write_image(REGISTRY, image)
    files = descriptor_pb2.FileDescriptorSet.FromString(image.read_bytes()).file
    return {
        f"{file.package}.{message.name}": file.name
        for file in files
        if file.package.startswith("knowledge.")
        for message in file.message_type
    }


def test_the_registry_lints_clean() -> None:
    assert lint_violations(REGISTRY) == []


def test_every_listed_event_is_a_message_of_its_producer_and_every_event_is_listed(
    tmp_path: Path,
) -> None:
    messages = compiled_messages(tmp_path)
    catalogue = load_topics(PLATFORM_ROOT)
    listed = set()
    for name, topic in catalogue.topics.items():
        producer_package = f"knowledge.{topic.owner.removeprefix('ms_')}.v1."
        for event in topic.events:
            assert event in messages, f"{name} lists {event}, which no .proto declares"
            assert event.startswith(producer_package), f"{event} on {name} is not {topic.owner}'s"
            listed.add(event)
    declared_events = {name for name, file in messages.items() if file.endswith("/events.proto")}
    assert declared_events - listed == set(), "event messages that no topic carries"


def test_the_installed_package_is_built_from_these_contracts_and_topics() -> None:
    installed = Path(knowledge.common.__file__).parents[2]
    stale = [
        path.as_posix()
        for path in REGISTRY.proto_files()
        if not (installed / path).is_file()
        or (installed / path).read_bytes() != (REGISTRY.proto_root / path).read_bytes()
    ]
    assert not stale, f"installed knowledge-protos is stale (run scripts/bootstrap.sh): {stale}"
    catalogue = load_topics(PLATFORM_ROOT)
    assert {topic.name: topic.event_types for topic in topics.ALL_TOPICS} == {
        name: tuple(topic.events) for name, topic in catalogue.topics.items()
    }


def test_an_event_travels_in_its_envelope_to_the_topic_of_its_type() -> None:
    created = events_pb2.DocumentCreated(
        document="spaces/handbook/documents/onboarding", space="spaces/handbook", revision=1
    )
    payload = any_pb2.Any()
    payload.Pack(created)
    envelope = event_envelope_pb2.EventEnvelope(
        id="4f1c3a52-0d8e-4b8f-9a51-2f7c0f3f1d10",
        type=created.DESCRIPTOR.full_name,
        source="ms_knowledge",
        time=Timestamp(seconds=1_795_000_000),
        subject=created.document,
        trace=event_envelope_pb2.TraceContext(
            traceparent="00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        ),
        payload=payload,
    )
    received = event_envelope_pb2.EventEnvelope.FromString(envelope.SerializeToString())
    assert topics.topic_for_event(received.type) is topics.KNOWLEDGE_DOCUMENTS_V1
    unpacked = symbol_database.Default().GetSymbol(received.type)()
    assert isinstance(unpacked, events_pb2.DocumentCreated)
    assert received.payload.Unpack(unpacked)
    assert unpacked == created
    assert received.subject == unpacked.document
