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
        # The relay hands over whole batches: records wait for no later ones (aiokafka's
        # linger), and a batch's records for one partition go in one request (the default
        # 16 KiB took several, each waiting for the last to be acknowledged).
        linger_ms=0,
        max_batch_size=512 * 1024,
    )
