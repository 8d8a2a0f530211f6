"""Events leave through the outbox and reach Kafka in order, wrapped in the registry's envelope."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.common.v1 import event_envelope_pb2
from knowledge.knowledge.v1 import document_pb2, events_pb2
from knowledge.knowledge.v1 import document_service_pb2 as document_rpc
from knowledge.knowledge.v1 import space_pb2 as space_api
from knowledge.topics import KNOWLEDGE_DOCUMENTS_V1, KNOWLEDGE_SPACES_V1
from knowledge_kit.events import OutboxRelay, create_producer

from .conftest import KnowledgeApi

OWNER, EDITOR = "users/olivia", "users/eddie"


async def events_about(
    kafka_bootstrap: str, subject_prefix: str, count: int
) -> list[tuple[str, str, event_envelope_pb2.EventEnvelope]]:
    """The first `count` records on the knowledge topics whose key starts with the prefix."""
    consumer = AIOKafkaConsumer(
        KNOWLEDGE_SPACES_V1.name,
        KNOWLEDGE_DOCUMENTS_V1.name,
        bootstrap_servers=kafka_bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    found: list[tuple[str, str, event_envelope_pb2.EventEnvelope]] = []
    try:
        async with asyncio.timeout(30):
            while len(found) < count:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    for record in records:
                        key = (record.key or b"").decode()
                        if key.startswith(subject_prefix):
                            envelope = event_envelope_pb2.EventEnvelope.FromString(
                                record.value or b""
                            )
                            found.append((record.topic, key, envelope))
    finally:
        await consumer.stop()
    return found


async def test_changes_are_published_in_order_with_what_indexers_need(
    api: KnowledgeApi, kafka_bootstrap: str
) -> None:
    space = await api.space_with(OWNER, eddie=space_api.SPACE_ROLE_EDITOR)
    created = (
        await api.documents.CreateDocument(
            document_rpc.CreateDocumentRequest(
                parent=space, document=document_pb2.Document(title="Plan", content="v1")
            ),
            metadata=api.as_user(EDITOR),
        )
    ).document
    await api.documents.UpdateDocument(
        document_rpc.UpdateDocumentRequest(
            document=document_pb2.Document(name=created.name, content="v2", etag=created.etag),
            update_mask=FieldMask(paths=["content"]),
        ),
        metadata=api.as_user(EDITOR),
    )
    producer = create_producer(kafka_bootstrap)
    await producer.start()
    try:
        published = await OutboxRelay(api.sessions, producer).publish_pending_events()
    finally:
        await producer.stop()

    events = await events_about(kafka_bootstrap, space, 4)

    assert published == 4
    # Kafka orders records per partition (per resource name), not across topics.
    by_topic = {
        topic: [(key, envelope.type) for t, key, envelope in events if t == topic]
        for topic in (KNOWLEDGE_SPACES_V1.name, KNOWLEDGE_DOCUMENTS_V1.name)
    }
    assert by_topic == {
        KNOWLEDGE_SPACES_V1.name: [
            (space, "knowledge.knowledge.v1.SpaceCreated"),
            (space, "knowledge.knowledge.v1.SpaceMemberAdded"),
        ],
        KNOWLEDGE_DOCUMENTS_V1.name: [
            (created.name, "knowledge.knowledge.v1.DocumentCreated"),
            (created.name, "knowledge.knowledge.v1.DocumentUpdated"),
        ],
    }
    for _, key, envelope in events:
        assert (envelope.source, envelope.subject) == ("ms_knowledge", key)
        assert envelope.id and envelope.time.seconds > 0
        assert envelope.payload.TypeName() == envelope.type
    updated = events_pb2.DocumentUpdated()
    last_document_event = [e for t, _, e in events if t == KNOWLEDGE_DOCUMENTS_V1.name][-1]
    assert last_document_event.payload.Unpack(updated)
    assert (updated.space, updated.title, updated.content, updated.revision) == (
        space,
        "Plan",
        "v2",
        2,
    )
    assert (updated.previous_revision, updated.author.name) == (1, EDITOR)
