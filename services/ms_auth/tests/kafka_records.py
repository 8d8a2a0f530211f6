"""Reading what the service published: the records on a topic about one resource."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka import AIOKafkaConsumer
from knowledge.common.v1 import event_envelope_pb2

RECEIVE_TIMEOUT_SECONDS = 60.0


async def envelopes_about(
    kafka_bootstrap: str, topic: str, subject: str, count: int
) -> list[tuple[bytes | None, event_envelope_pb2.EventEnvelope]]:
    """The first `count` records on `topic` keyed by `subject`, read from the beginning."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=f"ms_auth_test_{uuid.uuid4().hex}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    found: list[tuple[bytes | None, event_envelope_pb2.EventEnvelope]] = []
    try:
        async with asyncio.timeout(RECEIVE_TIMEOUT_SECONDS):
            async for record in consumer:
                envelope = event_envelope_pb2.EventEnvelope.FromString(record.value)
                if envelope.subject == subject:
                    found.append((record.key, envelope))
                if len(found) == count:
                    return found
    finally:
        await consumer.stop()
    return found
