"""The one way the platform produces to Kafka: idempotent, acks from all in-sync replicas."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer

from knowledge_kit.events.kafka import KafkaConnection, kafka_client_options


def create_producer(
    bootstrap: KafkaConnection | str, *, client_id: str | None = None
) -> AIOKafkaProducer:
    """An idempotent producer (acks=all); call `await producer.start()` before use."""
    return AIOKafkaProducer(
        **kafka_client_options(bootstrap),
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
    )
