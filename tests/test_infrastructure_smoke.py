"""The test command's real PostgreSQL and Kafka work the way services will use them."""

from __future__ import annotations

import uuid

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic


async def test_postgres_stores_and_returns_rows(postgres_url: str) -> None:
    database = f"smoke_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(postgres_url)
    try:
        await admin.execute(f'CREATE DATABASE "{database}"')
        connection = await asyncpg.connect(postgres_url.rsplit("/", 1)[0] + f"/{database}")
        try:
            await connection.execute(
                "CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)"
            )
            async with connection.transaction():
                await connection.execute("INSERT INTO notes (body) VALUES ($1), ($2)", "a", "b")
            rows = await connection.fetch("SELECT body FROM notes ORDER BY id")
            assert [row["body"] for row in rows] == ["a", "b"]
            version = await connection.fetchval("SHOW server_version_num")
            assert int(version) >= 150000
        finally:
            await connection.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{database}"')
        await admin.close()


async def test_kafka_idempotent_producer_and_consumer_group(kafka_bootstrap: str) -> None:
    topic = f"smoke.{uuid.uuid4().hex[:10]}.v1"
    admin = AIOKafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
    finally:
        await admin.close()

    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        sent = [f"event-{index}".encode() for index in range(20)]
        for index, value in enumerate(sent):
            await producer.send_and_wait(topic, value, key=f"key-{index % 4}".encode())
    finally:
        await producer.stop()

    group = f"smoke-{uuid.uuid4().hex[:8]}"
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    try:
        received: list[bytes] = []
        while len(received) < len(sent):
            batches = await consumer.getmany(timeout_ms=10_000)
            assert batches, f"consumer stopped receiving after {len(received)} of {len(sent)}"
            for records in batches.values():
                received.extend(record.value for record in records if record.value is not None)
        await consumer.commit()
        assert sorted(received) == sorted(sent)
    finally:
        await consumer.stop()

    # The group's committed offsets are real: a new member resumes after them, not at the start.
    producer = AIOKafkaProducer(
        bootstrap_servers=kafka_bootstrap, enable_idempotence=True, acks="all"
    )
    await producer.start()
    try:
        await producer.send_and_wait(topic, b"after-commit", key=b"key-0")
    finally:
        await producer.stop()
    late = AIOKafkaConsumer(
        topic, bootstrap_servers=kafka_bootstrap, group_id=group, auto_offset_reset="earliest"
    )
    await late.start()
    try:
        resumed: list[bytes] = []
        while not resumed:
            batches = await late.getmany(timeout_ms=10_000)
            assert batches, "the resumed group member received nothing"
            for records in batches.values():
                resumed.extend(record.value for record in records if record.value is not None)
        for records in (await late.getmany(timeout_ms=1_000)).values():
            resumed.extend(record.value for record in records if record.value is not None)
        assert resumed == [b"after-commit"]
    finally:
        await late.stop()
