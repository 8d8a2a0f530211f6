"""Fan-out of stored document updates between ms_canvas instances through canvas.updates.v1.

Every instance reads the whole topic from its end without a consumer group (each needs every
record) and applies other instances' updates to the canvases it holds open. The kit's
RoomFanout only forwards frames; here a relayed update must also reach the server's own copy
of the document, so the relay is built from the kit's producer and envelope instead.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from google.protobuf.message import DecodeError
from knowledge.canvas.v1.events_pb2 import CanvasUpdateRelayed
from knowledge.common.v1 import event_envelope_pb2
from knowledge.topics import CANVAS_UPDATES_V1
from knowledge_kit.events.envelope import kafka_headers, new_envelope
from knowledge_kit.events.producer import create_producer

_log = structlog.get_logger("ms_canvas.relay")
ApplyRelayed = Callable[[CanvasUpdateRelayed], Awaitable[None]]


class UpdateRelay:
    def __init__(self, *, bootstrap: str, source: str, apply: ApplyRelayed) -> None:
        self.instance_id = uuid.uuid4().hex
        self._source = source
        self._apply = apply
        self._producer: AIOKafkaProducer = create_producer(bootstrap, client_id=self.instance_id)
        self._consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None)

    async def start(self) -> None:
        """Connect and position at the topic's end: updates stored from now on are relayed."""
        await self._producer.start()
        partitions = await self._producer.partitions_for(CANVAS_UPDATES_V1.name)
        if not partitions:
            raise RuntimeError(f"Kafka has no topic {CANVAS_UPDATES_V1.name} to relay updates on")
        await self._consumer.start()
        self._consumer.assign(
            [TopicPartition(CANVAS_UPDATES_V1.name, p) for p in sorted(partitions)]
        )
        await self._consumer.seek_to_end()
        for partition in self._consumer.assignment():
            await self._consumer.position(partition)

    async def publish(self, canvas: str, update: bytes, author: str) -> None:
        """Queue an update for the other instances (the producer batches and delivers it)."""
        event = CanvasUpdateRelayed(
            canvas=canvas, update=update, origin_instance=self.instance_id, author=author
        )
        envelope = new_envelope(event, source=self._source, subject=canvas)
        await self._producer.send(
            CANVAS_UPDATES_V1.name,
            envelope.SerializeToString(),
            key=canvas.encode(),
            headers=kafka_headers(envelope),
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Apply other instances' updates until `stop` is set."""
        while not stop.is_set():
            batches = await self._consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    event = _relayed(record.value or b"")
                    if event is not None and event.origin_instance != self.instance_id:
                        await self._apply(event)

    async def stop(self) -> None:
        await self._consumer.stop()
        await self._producer.stop()


def _relayed(value: bytes) -> CanvasUpdateRelayed | None:
    try:
        envelope = event_envelope_pb2.EventEnvelope.FromString(value)
    except DecodeError:
        _log.warning("canvas_relay_record_unreadable")
        return None
    event = CanvasUpdateRelayed()
    return event if envelope.payload.Unpack(event) else None
