"""The Kafka side of the fan-out between ms_canvas instances: canvas.updates.v1.

Every instance reads the whole topic from its end without a consumer group (each needs every
record) and hands other instances' records on: document updates (CanvasUpdateRelayed) and who
holds which canvas (CanvasHeld). The kit's RoomFanout only forwards frames; here a relayed
update must also reach the service's own copy of the document, so the relay is built from the
kit's producer, topic tail and envelope instead. What to send when is `InstanceRelay`'s business.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from google.protobuf.message import DecodeError, Message
from knowledge.canvas.v1.events_pb2 import CanvasHeld, CanvasUpdateRelayed
from knowledge.common.v1 import event_envelope_pb2
from knowledge.topics import CANVAS_UPDATES_V1
from knowledge_kit.events import KafkaConnection
from knowledge_kit.events.envelope import kafka_headers, new_envelope
from knowledge_kit.events.kafka import start_client
from knowledge_kit.events.producer import create_producer
from knowledge_kit.events.topic_tail import tail_consumer

from ..domain.instances import Holding, HoldingNotice, RelayedUpdate

_log = structlog.get_logger("ms_canvas.relay")
ApplyRelayed = Callable[[RelayedUpdate], Awaitable[None]]
TakeHeld = Callable[[HoldingNotice], Awaitable[None]]
HOLDING_MESSAGES = {
    Holding.OPENED: CanvasHeld.HOLDING_OPENED,
    Holding.STILL: CanvasHeld.HOLDING_STILL,
    Holding.RELEASED: CanvasHeld.HOLDING_RELEASED,
}
HOLDINGS = {message: holding for holding, message in HOLDING_MESSAGES.items()}


class UpdateRelay:
    def __init__(self, *, kafka: KafkaConnection | str, source: str) -> None:
        self.instance_id = uuid.uuid4().hex
        self._source = source
        self._kafka = kafka
        self._producer: AIOKafkaProducer = create_producer(kafka, client_id=self.instance_id)
        self._consumer: AIOKafkaConsumer | None = None

    async def start(self) -> None:
        """Connect and position at the topic's end: records sent from now on are read."""
        await start_client(self._producer, self._kafka)
        self._consumer = await tail_consumer(self._kafka, CANVAS_UPDATES_V1.name, self._producer)

    async def publish(self, canvas: str, update: bytes, author: str) -> None:
        """Queue an update for the other instances (the producer batches and delivers it)."""
        await self._send(
            canvas,
            CanvasUpdateRelayed(
                canvas=canvas, update=update, origin_instance=self.instance_id, author=author
            ),
        )

    async def announce(self, canvas: str, holding: Holding, state_vector: bytes = b"") -> None:
        """Tell the other instances whether this one holds `canvas`, and what it has of it."""
        await self._send(
            canvas,
            CanvasHeld(
                canvas=canvas,
                instance=self.instance_id,
                holding=HOLDING_MESSAGES[holding],
                state_vector=state_vector,
            ),
        )

    async def _send(self, canvas: str, event: Message) -> None:
        # Keyed by canvas: one canvas's records stay in order on one partition.
        envelope = new_envelope(event, source=self._source, subject=canvas)
        await self._producer.send(
            CANVAS_UPDATES_V1.name,
            envelope.SerializeToString(),
            key=canvas.encode(),
            headers=kafka_headers(envelope),
        )

    async def run(self, stop: asyncio.Event, *, apply: ApplyRelayed, held: TakeHeld) -> None:
        """Hand other instances' updates to `apply` and their holdings to `held` until `stop`
        is set."""
        if self._consumer is None:
            raise RuntimeError("UpdateRelay.run before start")
        while not stop.is_set():
            batches = await self._consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    await self._take(record.value or b"", apply, held)

    async def stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
        await self._producer.stop()

    async def _take(self, value: bytes, apply: ApplyRelayed, held: TakeHeld) -> None:
        relayed, holding = CanvasUpdateRelayed(), CanvasHeld()
        try:
            envelope = event_envelope_pb2.EventEnvelope.FromString(value)
            is_update = envelope.payload.Unpack(relayed)
            is_holding = not is_update and envelope.payload.Unpack(holding)
        except DecodeError as error:  # the envelope or its payload: skipped, the relay goes on
            _log.warning("canvas_relay_record_unreadable", error=str(error))
            return
        if is_update:
            if relayed.origin_instance != self.instance_id:
                await apply(
                    RelayedUpdate(
                        relayed.canvas, relayed.update, relayed.origin_instance, relayed.author
                    )
                )
        elif is_holding and holding.instance != self.instance_id and holding.holding in HOLDINGS:
            await held(
                HoldingNotice(
                    holding.canvas,
                    holding.instance,
                    HOLDINGS[holding.holding],
                    holding.state_vector,
                )
            )
