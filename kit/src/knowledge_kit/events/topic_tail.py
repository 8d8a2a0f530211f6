"""Reading a topic from its end, on every instance: what fan-out between instances needs.

A consumer group splits a topic's partitions among its members; fan-out wants the opposite,
every instance reading every record. So the consumer has no group, is assigned all partitions
and starts at their ends: records sent from now on are read, nothing older is replayed.
"""

from __future__ import annotations

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from knowledge_kit.events.kafka import KafkaConnection, kafka_client_options, start_client


async def tail_consumer(
    bootstrap: KafkaConnection | str, topic: str, producer: AIOKafkaProducer
) -> AIOKafkaConsumer:
    """A started, group-less consumer at the end of every partition of `topic`.

    `producer` (started) supplies the topic's partitions; a topic that does not exist is an
    error (RuntimeError) rather than a consumer that silently reads nothing.
    """
    partitions = await producer.partitions_for(topic)
    if not partitions:
        raise RuntimeError(f"Kafka has no topic {topic} to read")
    consumer = AIOKafkaConsumer(**kafka_client_options(bootstrap), group_id=None)
    await start_client(consumer, bootstrap)
    try:
        consumer.assign([TopicPartition(topic, p) for p in sorted(partitions)])
        await consumer.seek_to_end()  # resolves the ends now, not at the first fetch
    except BaseException:
        await consumer.stop()
        raise
    return consumer
