"""Parking events a consumer cannot apply, with why, so the consumer can carry on."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer
from aiokafka.structs import ConsumerRecord


async def send_to_dead_letter(
    producer: AIOKafkaProducer, topic: str, record: ConsumerRecord, reason: str
) -> None:
    """Copy `record` (value, key, headers) to `topic`, adding where it came from and why."""
    headers = [
        *(record.headers or ()),
        ("dead-letter-reason", reason.encode()),
        ("dead-letter-topic", record.topic.encode()),
        ("dead-letter-partition", str(record.partition).encode()),
        ("dead-letter-offset", str(record.offset).encode()),
    ]
    await producer.send_and_wait(topic, value=record.value, key=record.key, headers=headers)
