"""Running the outbox relay for as long as a service serves: producer and relay, started and
stopped together, so every service's composition root does it the same way."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge_kit.events.kafka import KafkaConnection, start_client
from knowledge_kit.events.producer import create_producer
from knowledge_kit.events.relay import DEFAULT_BATCH_SIZE, OutboxRelay


@asynccontextmanager
async def relaying_outbox(
    sessions: async_sessionmaker[AsyncSession],
    bootstrap: KafkaConnection | str,
    *,
    client_id: str,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> AsyncIterator[OutboxRelay]:
    """Publish what use cases record in the outbox to Kafka while the block runs; on exit the
    relay finishes its batch and the producer flushes before stopping."""
    producer = create_producer(bootstrap, client_id=client_id)
    await start_client(producer, bootstrap)
    relay = OutboxRelay(sessions, producer, batch_size=batch_size)
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    try:
        yield relay
    finally:
        stop.set()
        try:
            await running
        finally:
            await producer.stop()
