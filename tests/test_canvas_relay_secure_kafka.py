"""ms_canvas's relay between instances connects the way its settings say: over SASL_SSL with a
SCRAM user, as the brokers in the cluster (Strimzi) ask of every client."""

from __future__ import annotations

import asyncio
import contextlib
import uuid

from aiokafka.errors import TopicAlreadyExistsError
from knowledge.topics import CANVAS_UPDATES_V1
from knowledge_kit.events import KafkaConnection
from knowledge_kit.testing import SecureKafka
from knowledge_kit.testing.infrastructure import create_topics
from ms_canvas.config import Settings
from ms_canvas.domain.instances import Holding, HoldingNotice, RelayedUpdate
from ms_canvas.repository.update_relay import UpdateRelay
from pydantic import SecretStr


def secure_settings(kafka: SecureKafka) -> Settings:
    return Settings(
        kafka_bootstrap=kafka.bootstrap,
        kafka_security_protocol="SASL_SSL",
        kafka_sasl_mechanism="SCRAM-SHA-512",
        kafka_sasl_username=kafka.username,
        kafka_sasl_password=SecretStr(kafka.password),
        kafka_ssl_cafile=kafka.ca_file,
    )


async def test_instances_relay_updates_and_holdings_over_sasl_ssl(
    secure_kafka: SecureKafka,
) -> None:
    connection = KafkaConnection.of(secure_settings(secure_kafka))
    with contextlib.suppress(TopicAlreadyExistsError):
        await create_topics(connection, [CANVAS_UPDATES_V1.name])
    sender = UpdateRelay(kafka=connection, source="ms_canvas")
    receiver = UpdateRelay(kafka=connection, source="ms_canvas")
    canvas = f"spaces/s/canvases/c{uuid.uuid4().hex[:10]}"
    applied: list[RelayedUpdate] = []
    held: list[HoldingNotice] = []
    both = asyncio.Event()

    async def apply(update: RelayedUpdate) -> None:
        if update.canvas == canvas:
            applied.append(update)

    async def take(notice: HoldingNotice) -> None:
        if notice.canvas == canvas:
            held.append(notice)
            both.set()

    await sender.start()
    await receiver.start()
    stop = asyncio.Event()
    reading = asyncio.create_task(receiver.run(stop, apply=apply, held=take))
    try:
        await sender.publish(canvas, b"\x01\x02", "users/alice")
        await sender.announce(canvas, Holding.OPENED, b"vector")
        async with asyncio.timeout(30):
            await both.wait()
    finally:
        stop.set()
        await reading
        await sender.stop()
        await receiver.stop()
    assert applied == [RelayedUpdate(canvas, b"\x01\x02", sender.instance_id, "users/alice")]
    assert held == [HoldingNotice(canvas, sender.instance_id, Holding.OPENED, b"vector")]
