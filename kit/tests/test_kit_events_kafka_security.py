"""Every Kafka client of the kit connects as the settings say: SCRAM over TLS in the cluster."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import replace
from pathlib import Path

import pytest
from google.protobuf.wrappers_pb2 import StringValue
from sqlalchemy import select

from knowledge_kit.database import UnitOfWork
from knowledge_kit.events import (
    ConsumedEvent,
    EventConsumer,
    KafkaConnection,
    KafkaUnavailable,
    Outbox,
    relaying_outbox,
)
from knowledge_kit.events.topic_tail import tail_consumer
from knowledge_kit.testing import SecureKafka

from .events_support import applied, consume, note_topic, notes, notes_database

NewTopic = Callable[..., Awaitable[str]]


def scram_over_tls(kafka: SecureKafka, *, password: str | None = None) -> KafkaConnection:
    return KafkaConnection(
        bootstrap=kafka.bootstrap,
        security_protocol="SASL_SSL",
        sasl_mechanism="SCRAM-SHA-512",
        sasl_username=kafka.username,
        sasl_password=password or kafka.password,
        ssl_cafile=kafka.ca_file,
    )


async def test_events_travel_from_the_outbox_to_a_consumer_over_scram_and_tls(
    secure_kafka: SecureKafka, sqlite_database_url: str, new_kafka_topic: NewTopic
) -> None:
    kafka = scram_over_tls(secure_kafka)
    topic = await new_kafka_topic("secure")

    async def apply(event: ConsumedEvent) -> None:
        await event.session.execute(applied.insert().values(body=event.payload.value))

    async with notes_database(sqlite_database_url) as sessions:
        async with relaying_outbox(sessions, kafka, client_id="ms_test"):
            async with UnitOfWork(sessions) as uow:
                await uow.session.execute(notes.insert().values(body="over tls"))
                await Outbox("ms_test").record(
                    uow.session, note_topic(topic), StringValue(value="over tls"), subject="n/1"
                )
                await uow.commit()
            await consume(kafka, topic, sessions, {StringValue: apply}, records=1)
        async with sessions() as session:
            bodies = (await session.execute(select(applied.c.body))).scalars().all()
    assert bodies == ["over tls"]


async def test_a_wrong_password_fails_every_client_at_start_naming_the_connection(
    secure_kafka: SecureKafka, sqlite_database_url: str
) -> None:
    wrong = scram_over_tls(secure_kafka, password="not-the-password")
    async with notes_database(sqlite_database_url) as sessions, asyncio.timeout(60):
        with pytest.raises(KafkaUnavailable) as relay_refused:
            async with relaying_outbox(sessions, wrong, client_id="ms_test"):
                pass
        consumer = EventConsumer(
            service="ms_test", bootstrap=wrong, topics=["any"], sessions=sessions, handlers={}
        )
        with pytest.raises(KafkaUnavailable):
            await consumer.run(asyncio.Event())
    message = str(relay_refused.value)
    assert f"cannot connect to Kafka at {secure_kafka.bootstrap} over SASL_SSL" in message
    assert f"as {secure_kafka.username}" in message
    assert "not-the-password" not in message


async def test_a_client_that_does_not_trust_the_brokers_ca_is_refused(
    secure_kafka: SecureKafka, sqlite_database_url: str, tmp_path: Path
) -> None:
    # The system's CAs do not include the test broker's own CA.
    untrusting = replace(scram_over_tls(secure_kafka), ssl_cafile=None)
    async with notes_database(sqlite_database_url) as sessions, asyncio.timeout(60):
        with pytest.raises(KafkaUnavailable, match="over SASL_SSL"):
            async with relaying_outbox(sessions, untrusting, client_id="ms_test"):
                pass


async def test_a_plaintext_client_cannot_read_the_secure_listener(
    secure_kafka: SecureKafka, kafka_bootstrap: str, new_kafka_topic: NewTopic
) -> None:
    topic = await new_kafka_topic("secure")
    from knowledge_kit.events import create_producer

    producer = create_producer(scram_over_tls(secure_kafka))
    await producer.start()
    try:
        consumer = await tail_consumer(scram_over_tls(secure_kafka), topic, producer)
        await consumer.stop()
        with pytest.raises(KafkaUnavailable, match=f"at {secure_kafka.bootstrap} over PLAINTEXT"):
            async with asyncio.timeout(60):
                await tail_consumer(secure_kafka.bootstrap, topic, producer)
    finally:
        await producer.stop()


def test_the_connection_never_shows_its_password() -> None:
    connection = KafkaConnection(
        "broker:9093", "SASL_SSL", sasl_username="ms-auth", sasl_password="s3cret"
    )
    assert "s3cret" not in repr(connection) and "s3cret" not in str(connection)
