"""Every instance reads the service's own topics from their end, so that its watchers also see
what the other instances commit (the outbox relay of whichever instance wrote it publishes it)."""

from __future__ import annotations

import asyncio
from datetime import UTC

import structlog
from aiokafka import AIOKafkaConsumer
from google.protobuf.message import DecodeError
from knowledge.common.v1 import event_envelope_pb2
from knowledge.knowledge.v1 import events_pb2
from knowledge.topics import KNOWLEDGE_DOCUMENTS_V1, KNOWLEDGE_SPACES_V1
from knowledge_kit.events import KafkaConnection, kafka_client_options
from knowledge_kit.events.kafka import start_client

from ..domain.documents import Document
from ..service.changes_elsewhere import ChangesElsewhere

_log = structlog.get_logger("ms_knowledge.event_listener")


class KnowledgeEventListener:
    """No consumer group and no committed offsets: each instance reads everything from now on."""

    def __init__(self, kafka: KafkaConnection | str, changes: ChangesElsewhere) -> None:
        self._kafka = kafka
        self._changes = changes
        self.ready = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Listen until `stop` is set; `ready` is set once reading starts from the topics' end."""
        consumer = AIOKafkaConsumer(
            KNOWLEDGE_DOCUMENTS_V1.name,
            KNOWLEDGE_SPACES_V1.name,
            **kafka_client_options(self._kafka),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="latest",
        )
        await start_client(consumer, self._kafka)
        try:
            for partition in consumer.assignment():
                await consumer.position(partition)
            self.ready.set()
            while not stop.is_set():
                batches = await consumer.getmany(timeout_ms=200)
                for records in batches.values():
                    for record in records:
                        await self._apply(record.value or b"")
        finally:
            await consumer.stop()

    async def _apply(self, value: bytes) -> None:
        try:
            envelope = event_envelope_pb2.EventEnvelope.FromString(value)
            await self.apply(envelope)
        except (DecodeError, ValueError) as error:
            _log.warning("event_not_understood", error=str(error))
        except Exception:
            # A watcher missing one change is better than the listener stopping for all.
            _log.exception("event_not_passed_on")

    async def apply(self, envelope: event_envelope_pb2.EventEnvelope) -> None:
        """Hand one event of the service's topics to this instance's watchers."""
        payload = envelope.payload
        if payload.Is(events_pb2.DocumentCreated.DESCRIPTOR):
            created = events_pb2.DocumentCreated()
            payload.Unpack(created)
            await self._changes.document_written(created.document, created.space)
        elif payload.Is(events_pb2.DocumentUpdated.DESCRIPTOR):
            updated = events_pb2.DocumentUpdated()
            payload.Unpack(updated)
            await self._changes.document_written(updated.document, updated.space)
        elif payload.Is(events_pb2.DocumentDeleted.DESCRIPTOR):
            deleted = events_pb2.DocumentDeleted()
            payload.Unpack(deleted)
            self._changes.document_deleted(_deleted_document(deleted, envelope))
        elif payload.Is(events_pb2.SpaceDeleted.DESCRIPTOR):
            space_deleted = events_pb2.SpaceDeleted()
            payload.Unpack(space_deleted)
            self._changes.space_deleted(space_deleted.space)
        elif payload.Is(events_pb2.SpaceMemberRemoved.DESCRIPTOR):
            removed = events_pb2.SpaceMemberRemoved()
            payload.Unpack(removed)
            self._changes.member_removed(removed.space, removed.user)


def _deleted_document(
    event: events_pb2.DocumentDeleted, envelope: event_envelope_pb2.EventEnvelope
) -> Document:
    # DocumentDeleted names the document, its space, last revision, who and (envelope) when;
    # its title and body are gone with it.
    at = envelope.time.ToDatetime(tzinfo=UTC)
    return Document(
        name=event.document,
        space=event.space,
        title="",
        content="",
        content_type="",
        revision=event.revision,
        etag="",
        create_time=at,
        update_time=at,
        creator="",
        last_editor=event.deleted_by.name,
    )
