"""Events ms_canvas published, read back from Kafka."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, TopicPartition
from google.protobuf.message import Message
from knowledge.common.v1.event_envelope_pb2 import EventEnvelope


async def events_about(
    kafka_bootstrap: str,
    topic: str,
    canvas: str,
    kinds: tuple[type[Message], ...],
    *,
    count: int | None = None,
) -> list[Message]:
    """The events of `kinds` about `canvas` on `topic`, from its beginning: the first `count`
    (waiting up to 30 s for them), or, without a count, all the topic holds now."""
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka_bootstrap, group_id=None, auto_offset_reset="earliest"
    )
    await consumer.start()
    by_type = {kind.DESCRIPTOR.full_name: kind for kind in kinds}
    found: list[Message] = []
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        ends = await consumer.end_offsets(partitions)
        async with asyncio.timeout(30):
            while len(found) < count if count is not None else await _short_of(consumer, ends):
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    for record in records:
                        if (record.key or b"").decode() != canvas:
                            continue
                        envelope = EventEnvelope.FromString(record.value or b"")
                        kind = by_type.get(envelope.type)
                        if kind is not None:
                            event = kind()
                            envelope.payload.Unpack(event)
                            found.append(event)
    finally:
        await consumer.stop()
    return found if count is None else found[:count]


async def _short_of(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    """Whether `consumer` has not yet read up to `ends` on some partition."""
    for partition, end in ends.items():
        if await consumer.position(partition) < end:
            return True
    return False
