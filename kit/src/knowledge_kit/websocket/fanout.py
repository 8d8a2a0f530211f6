"""Fan-out of room messages across service instances through a Kafka topic.

Every instance reads the whole topic from its end (no consumer group: each instance needs every
message) and delivers records from other instances to its local room members. Records are
platform event envelopes keyed by room, so the topic follows the catalogue's conventions.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from google.protobuf.message import DecodeError, Message
from knowledge.common.v1 import event_envelope_pb2
from knowledge.topics import Topic

from knowledge_kit.events.envelope import kafka_headers, new_envelope
from knowledge_kit.events.kafka import KafkaConnection, start_client
from knowledge_kit.events.producer import create_producer
from knowledge_kit.events.topic_tail import tail_consumer
from knowledge_kit.names import check_service_name
from knowledge_kit.websocket.hub import Frame, RoomHub

ORIGIN_HEADER = "origin-instance"
_log = structlog.get_logger("knowledge_kit.fanout")


class RoomFanout:
    """`publish(room, event)` delivers to local members at once and to other instances via
    Kafka; `to_frame` turns an event into what clients receive."""

    def __init__(
        self,
        hub: RoomHub,
        *,
        bootstrap: KafkaConnection | str,
        topic: Topic,
        source: str,
        event_type: type[Message],
        to_frame: Callable[[Message], Frame],
    ) -> None:
        if event_type.DESCRIPTOR.full_name not in topic.event_types:
            raise ValueError(f"{event_type.DESCRIPTOR.full_name} is not an event of {topic.name}")
        self.instance_id = uuid.uuid4().hex
        self._hub = hub
        self._topic = topic.name
        self._source = check_service_name(source)
        self._event_type = event_type
        self._to_frame = to_frame
        self._bootstrap = bootstrap
        self._producer: AIOKafkaProducer = create_producer(bootstrap, client_id=self.instance_id)
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        """Connect, and position at the topic's end: only messages from now on are relayed."""
        await start_client(self._producer, self._bootstrap)
        self._consumer = await tail_consumer(self._bootstrap, self._topic, self._producer)

    async def publish(self, room: str, event: Message) -> None:
        """Deliver `event` to `room` here and on every other instance."""
        self._hub.broadcast(room, self._to_frame(event))
        envelope = new_envelope(event, source=self._source, subject=room)
        await self._producer.send_and_wait(
            self._topic,
            envelope.SerializeToString(),
            key=room.encode(),
            headers=[*kafka_headers(envelope), (ORIGIN_HEADER, self.instance_id.encode())],
        )

    async def run(self, stop: asyncio.Event) -> None:
        """Relay other instances' messages to local rooms until `stop` is set."""
        if self._consumer is None:
            raise RuntimeError("RoomFanout.run before start")
        while not stop.is_set():
            batches = await self._consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    if dict(record.headers or ()).get(ORIGIN_HEADER) == self.instance_id.encode():
                        continue
                    self._deliver(record.value or b"")

    def _deliver(self, value: bytes) -> None:
        """Broadcast the record's event to its room; a record that does not read as an envelope
        of this fan-out's event type is skipped (and logged), and the fan-out goes on."""
        event = self._event_type()
        try:
            envelope = event_envelope_pb2.EventEnvelope.FromString(value)
            unpacked = envelope.payload.Unpack(event)
        except DecodeError as error:
            _log.warning("room_fanout_record_unreadable", error=str(error))
            return
        if unpacked:
            self._hub.broadcast(envelope.subject, self._to_frame(event))

    async def stop(self) -> None:
        """Disconnect from Kafka."""
        if self._consumer is not None:
            await self._consumer.stop()
        await self._producer.stop()
