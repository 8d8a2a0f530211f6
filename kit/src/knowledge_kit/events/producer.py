"""The one way the platform produces to Kafka: idempotent, acks from all in-sync replicas."""

from __future__ import annotations

from aiokafka import AIOKafkaProducer


def create_producer(bootstrap: str, *, client_id: str | None = None) -> AIOKafkaProducer:
    """An idempotent producer (acks=all); call `await producer.start()` before use."""
    return AIOKafkaProducer(
        bootstrap_servers=bootstrap,
        client_id=client_id,
        enable_idempotence=True,
        acks="all",
        linger_ms=5,
    )
