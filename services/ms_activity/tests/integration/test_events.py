"""Consumed topics through a real Kafka broker onto the timelines: a poison record goes to the
dead-letter topic while the records after it are applied, and a replay of the whole topic with
duplicates and out of order (a new consumer group, so the inbox does not know them) leaves every
aggregate as the clean load left it."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta

from aiokafka import AIOKafkaConsumer
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.common.v1.event_envelope_pb2 import EventEnvelope
from knowledge.knowledge.v1.events_pb2 import DocumentUpdated, SpaceCreated
from knowledge_kit.events import EventConsumer, create_producer
from knowledge_kit.events.envelope import kafka_headers
from knowledge_kit.testing import unique_name
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_activity.domain.buckets import Dimension, Interval
from ms_activity.main import ActivityParts
from ms_activity.server.events import event_handlers
from ms_activity.store import Aggregate

from ..support import NOW, daily, envelope, person

ADA, BOB, CY = "users/ada", "users/bob", "users/cy"
SPACE = "spaces/handbook"
LIMIT_SECONDS = 60


def edits(count: int) -> list[EventEnvelope]:
    """`count` edits over three days by three people, some of them late (older than the one
    before)."""
    shuffled = random.Random(7)
    return [
        envelope(
            DocumentUpdated(
                document=f"{SPACE}/documents/d{number % 5}",
                space=SPACE,
                revision=number + 2,
                author=Actor(name=(ADA, BOB, CY)[number % 3]),
            ),
            at=NOW - timedelta(minutes=shuffled.randrange(3 * 24 * 60)),
        )
        for number in range(count)
    ]


async def consume(
    parts: ActivityParts,
    sessions: async_sessionmaker[AsyncSession],
    bootstrap: str,
    topics: Sequence[str],
    dead_letter: str,
    records: int,
) -> None:
    """Run a consumer of a fresh group (from the topics' beginning) until it has handled
    `records` records."""
    consumer = EventConsumer(
        service="ms_activity",
        bootstrap=bootstrap,
        topics=list(topics),
        sessions=sessions,
        handlers=event_handlers(parts.ingestion),
        group_id=unique_name("ms-activity-test"),
        max_attempts=1,
        dead_letter=dead_letter,
    )
    stop = asyncio.Event()
    running = asyncio.create_task(consumer.run(stop))
    forwarding = asyncio.create_task(parts.forwarder.run(stop))
    try:
        async with asyncio.timeout(LIMIT_SECONDS):
            while consumer.records_handled < records:
                if running.done():
                    running.result()
                await asyncio.sleep(0.1)
    finally:
        stop.set()
        await running
        await forwarding
    await parts.forwarder.forward_all()


async def aggregate_of(parts: ActivityParts) -> Aggregate:
    aggregate, _ = await parts.aggregates.aggregate(
        person(ADA),
        daily(
            SPACE,
            NOW - timedelta(days=4),
            NOW,
            zone="Europe/Amsterdam",
            interval=Interval.HOUR,
            breakdown=Dimension.ACTOR,
            top_count=5,
        ),
    )
    return aggregate


async def test_events_through_kafka_are_recorded_once_and_a_replay_changes_no_aggregate(
    parts: ActivityParts,
    sessions: async_sessionmaker[AsyncSession],
    kafka_bootstrap: str,
    new_kafka_topic: Callable[..., Awaitable[str]],
) -> None:
    spaces_topic = await new_kafka_topic("spaces", partitions=1)
    documents_topic = await new_kafka_topic("documents", partitions=3)
    dead_letter = await new_kafka_topic("deadletter", partitions=1)
    producer = create_producer(kafka_bootstrap)
    await producer.start()

    async def send(topic: str, envelopes: Sequence[EventEnvelope]) -> None:
        for one in envelopes:
            await producer.send(
                topic, one.SerializeToString(), key=one.subject.encode(), headers=kafka_headers(one)
            )
        await producer.flush()

    created = envelope(
        SpaceCreated(space=SPACE, creator=Actor(name=ADA)), at=NOW - timedelta(days=5)
    )
    loaded = edits(300)
    try:
        await send(spaces_topic, [created])
        await send(documents_topic, loaded[:150])
        await producer.send_and_wait(documents_topic, b"not an envelope", key=b"poison")
        await send(documents_topic, loaded[150:] + loaded[:20])  # with redeliveries

        topics = [spaces_topic, documents_topic]
        await consume(parts, sessions, kafka_bootstrap, topics, dead_letter, 1 + 150 + 1 + 170)
        clean = await aggregate_of(parts)
        assert clean.total == 300
        assert await _dead_letters(kafka_bootstrap, dead_letter) == [b"poison"]

        replayed = list(loaded) * 2
        random.Random(11).shuffle(replayed)
        await send(documents_topic, replayed)

        await consume(parts, sessions, kafka_bootstrap, [documents_topic], dead_letter, 321 + 600)
        assert await aggregate_of(parts) == clean
        assert clean.distinct_actors == 3
    finally:
        await producer.stop()


async def _dead_letters(bootstrap: str, topic: str) -> list[bytes]:
    reader = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await reader.start()
    try:
        record = await asyncio.wait_for(reader.getone(), LIMIT_SECONDS)
        return [record.key]
    finally:
        await reader.stop()
