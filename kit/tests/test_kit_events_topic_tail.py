"""A topic's tail: every partition, from its end, without a consumer group."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from knowledge_kit.events import create_producer, tail_consumer


async def test_the_tail_reads_what_is_sent_after_it_started_on_every_partition(
    kafka_bootstrap: str,
    new_kafka_topic: Callable[..., Awaitable[str]],
) -> None:
    topic = await new_kafka_topic("tail", partitions=3)
    producer = create_producer(kafka_bootstrap)
    await producer.start()
    tails = []
    try:
        for key in ("a", "b", "c"):
            await producer.send_and_wait(topic, b"before", key=key.encode(), partition=ord(key) % 3)
        # Two tails, as two instances would have: each reads everything, no group splits it.
        tails = [await tail_consumer(kafka_bootstrap, topic, producer) for _ in range(2)]
        for partition in range(3):
            await producer.send_and_wait(topic, f"after {partition}".encode(), partition=partition)
        for tail in tails:
            read: list[bytes] = []
            async with asyncio.timeout(30):
                while len(read) < 3:
                    for records in (await tail.getmany(timeout_ms=200)).values():
                        read.extend(record.value or b"" for record in records)
            assert sorted(read) == [b"after 0", b"after 1", b"after 2"]
    finally:
        for tail in tails:
            await tail.stop()
        await producer.stop()
