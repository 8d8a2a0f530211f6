"""knowledge.documents.v1 and knowledge.spaces.v1 through a real Kafka broker into the index:
an edit becomes searchable, an older delivery never wins, a poison record goes to the dead-letter
topic and the records after it are still applied, a redelivered event changes nothing twice."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from aiokafka import AIOKafkaConsumer
from google.protobuf.message import Message
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1.events_pb2 import (
    DocumentCreated,
    DocumentDeleted,
    DocumentUpdated,
    SpaceCreated,
)
from knowledge_kit.events import EventConsumer, Outbox, create_producer
from knowledge_kit.events.envelope import kafka_headers, new_envelope
from knowledge_kit.testing import unique_name
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_vector.domain.search_mode import SearchMode
from ms_vector.main import VectorParts
from ms_vector.server.events import event_handlers
from ms_vector.service.search import SearchQuery

SPACE = "spaces/handbook"
DOCUMENT = "spaces/handbook/documents/onboarding"
ADA = "users/ada"
LIMIT_SECONDS = 60


async def found(vector: VectorParts, words: str) -> list[str]:
    page = await vector.search.search(ADA, SearchQuery(words, SearchMode.LEXICAL))
    return [result.chunk.text for result in page.results]


async def until(condition: Callable[[], Awaitable[bool]]) -> None:
    """Wait until `condition` holds (polling: the index changes in another task)."""
    async with asyncio.timeout(LIMIT_SECONDS):
        while True:
            if await condition():
                return
            await asyncio.sleep(0.1)


async def test_events_keep_the_index_current_and_a_poison_record_is_set_aside(
    vector: VectorParts,
    sessions: async_sessionmaker[AsyncSession],
    kafka_bootstrap: str,
    new_kafka_topic: Callable[..., Awaitable[str]],
) -> None:
    spaces_topic = await new_kafka_topic("spaces", partitions=1)
    documents_topic = await new_kafka_topic("documents", partitions=1)
    dead_letter = await new_kafka_topic("deadletter", partitions=1)
    ada = Actor(name=ADA)
    created = DocumentCreated(
        document=DOCUMENT, space=SPACE, revision=1, content="Laptops arrive on Monday.", author=ada
    )
    updated = DocumentUpdated(
        document=DOCUMENT, space=SPACE, revision=2, content="Laptops arrive on Tuesday.", author=ada
    )
    producer = create_producer(kafka_bootstrap)
    await producer.start()

    async def send(topic: str, event: Message, subject: str) -> None:
        envelope = new_envelope(event, source="ms_knowledge", subject=subject)
        await producer.send_and_wait(
            topic,
            envelope.SerializeToString(),
            key=subject.encode(),
            headers=kafka_headers(envelope),
        )

    consumer = EventConsumer(
        service="ms_vector",
        bootstrap=kafka_bootstrap,
        topics=[spaces_topic, documents_topic],
        sessions=sessions,
        handlers=event_handlers(vector.indexing, vector.live, Outbox("ms_vector")),
        group_id=unique_name("ms-vector-test"),
        max_attempts=1,
        dead_letter=dead_letter,
    )
    stop = asyncio.Event()
    refreshing = asyncio.create_task(vector.live.run(stop))
    running = asyncio.create_task(consumer.run(stop))
    try:
        await send(spaces_topic, SpaceCreated(space=SPACE, creator=ada), SPACE)
        await send(documents_topic, created, DOCUMENT)
        await until(lambda: _has(vector, "monday"))
        await send(
            documents_topic,
            DocumentCreated(document="not a document name", revision=1, content="poison"),
            "poison",
        )
        await send(documents_topic, updated, DOCUMENT)
        await send(documents_topic, created, DOCUMENT)  # an older revision, delivered late
        await until(lambda: _has(vector, "tuesday"))
        assert await found(vector, "monday") == []
        assert await _dead_letters(kafka_bootstrap, dead_letter) == [b"poison"]
        await send(
            documents_topic, DocumentDeleted(document=DOCUMENT, space=SPACE, revision=2), DOCUMENT
        )
        await until(lambda: _gone(vector, "tuesday"))
    finally:
        stop.set()
        await asyncio.gather(running, refreshing, return_exceptions=True)
        await producer.stop()


async def _has(vector: VectorParts, word: str) -> bool:
    return bool(await found(vector, word))


async def _gone(vector: VectorParts, word: str) -> bool:
    return not await found(vector, word)


async def _dead_letters(bootstrap: str, topic: str) -> list[bytes]:
    reader = AIOKafkaConsumer(topic, bootstrap_servers=bootstrap, auto_offset_reset="earliest")
    await reader.start()
    try:
        record = await asyncio.wait_for(reader.getone(), LIMIT_SECONDS)
        return [record.key]
    finally:
        await reader.stop()
