"""The test broker's SASL_SSL listener asks what a production Strimzi listener asks: a SCRAM-SHA-512
user and a client that trusts the broker's CA."""

from __future__ import annotations

import asyncio
import logging
import ssl
import uuid

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError
from aiokafka.helpers import create_ssl_context
from knowledge_kit.testing import SecureKafka

REFUSAL_TIMEOUT = 30.0
"""A refused client must fail, not retry forever: well above a refusal's real duration."""


def secure_producer(
    kafka: SecureKafka, *, password: str | None = None, trusted: ssl.SSLContext | None = None
) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        bootstrap_servers=kafka.bootstrap,
        security_protocol="SASL_SSL",
        sasl_mechanism=kafka.mechanism,
        sasl_plain_username=kafka.username,
        sasl_plain_password=kafka.password if password is None else password,
        ssl_context=trusted or create_ssl_context(cafile=kafka.ca_file),
        enable_idempotence=True,
        acks="all",
    )


async def refusal_reason(producer: AIOKafkaProducer, caplog: pytest.LogCaptureFixture) -> str:
    """Start `producer`, expecting it to be refused; the reason aiokafka logs for the refusal."""
    with caplog.at_level(logging.ERROR, logger="aiokafka"), pytest.raises(KafkaConnectionError):
        await asyncio.wait_for(producer.start(), REFUSAL_TIMEOUT)
    await producer.stop()
    return "\n".join(record.getMessage() for record in caplog.records)


async def test_a_scram_user_produces_and_consumes_over_tls(secure_kafka: SecureKafka) -> None:
    topic = f"smoke.secure.{uuid.uuid4().hex[:10]}.v1"
    producer = secure_producer(secure_kafka)
    await producer.start()
    try:
        sent = [f"event-{index}".encode() for index in range(5)]
        for value in sent:
            await producer.send_and_wait(topic, value)
    finally:
        await producer.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=secure_kafka.bootstrap,
        security_protocol="SASL_SSL",
        sasl_mechanism=secure_kafka.mechanism,
        sasl_plain_username=secure_kafka.username,
        sasl_plain_password=secure_kafka.password,
        ssl_context=create_ssl_context(cafile=secure_kafka.ca_file),
        group_id=f"smoke-{uuid.uuid4().hex[:8]}",
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        received: list[bytes] = []
        while len(received) < len(sent):
            batches = await consumer.getmany(timeout_ms=10_000)
            assert batches, f"consumer stopped receiving after {len(received)} of {len(sent)}"
            for records in batches.values():
                received.extend(record.value for record in records if record.value is not None)
        assert received == sent
    finally:
        await consumer.stop()


async def test_a_wrong_password_is_refused_as_an_authentication_failure(
    secure_kafka: SecureKafka, caplog: pytest.LogCaptureFixture
) -> None:
    producer = secure_producer(secure_kafka, password=secure_kafka.password + "-wrong")
    reason = await refusal_reason(producer, caplog)
    assert "SaslAuthenticationFailed" in reason and secure_kafka.mechanism in reason


async def test_a_client_that_does_not_trust_the_ca_is_refused(
    secure_kafka: SecureKafka, caplog: pytest.LogCaptureFixture
) -> None:
    # The system's trust store: a client configured for public CAs, not the broker's own.
    producer = secure_producer(secure_kafka, trusted=ssl.create_default_context())
    reason = await refusal_reason(producer, caplog)
    assert "CERTIFICATE_VERIFY_FAILED" in reason
