"""Registry and deployment changes reach ml.models.v1 through the outbox, keyed by their model,
in the order they were made."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka import AIOKafkaConsumer
from knowledge.common.v1.event_envelope_pb2 import EventEnvelope
from knowledge.ml.v1 import events_pb2
from knowledge.topics import ML_MODELS_V1
from knowledge_kit.events import relaying_outbox
from knowledge_kit.testing import unique_name
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_ml.domain.deployments import TrafficSplit
from ms_ml.domain.models import Stage
from ms_ml.main import MlParts

from ..support import ADMIN, linear, model, version

RECEIVE_LIMIT_SECONDS = 60


async def test_registry_changes_are_published_on_ml_models_v1_in_order(
    ml: MlParts, sessions: async_sessionmaker[AsyncSession], kafka_bootstrap: str
) -> None:
    ranker = await model(ml, f"ranker-{uuid.uuid4().hex[:8]}")
    first = await version(ml, ranker, linear([1.0]), metrics={"ndcg_at_10": 0.7})
    second = await version(ml, ranker, linear([2.0]))
    await ml.promotions.set_alias(f"{ranker}/aliases/champion", first.name, "best so far", ADMIN)
    await ml.promotions.promote(first.name, Stage.PRODUCTION, "ship", ADMIN)
    await ml.deployments.create(
        ranker,
        "serving",
        (TrafficSplit("", "champion", 90), TrafficSplit(second.name, "", 10)),
        "",
        1,
        ADMIN,
    )

    consumer = AIOKafkaConsumer(
        ML_MODELS_V1.name,
        bootstrap_servers=kafka_bootstrap,
        group_id=unique_name("ml-events-test"),
        auto_offset_reset="earliest",
    )
    await consumer.start()
    received: list[tuple[bytes, EventEnvelope]] = []
    try:
        async with relaying_outbox(sessions, kafka_bootstrap, client_id="ms_ml"):
            async with asyncio.timeout(RECEIVE_LIMIT_SECONDS):
                while len(received) < 6:
                    record = await consumer.getone()
                    envelope = EventEnvelope.FromString(record.value)
                    if envelope.subject == ranker:
                        received.append((record.key, envelope))
    finally:
        await consumer.stop()

    assert {key for key, _ in received} == {ranker.encode()}
    assert [envelope.type.rsplit(".", 1)[1] for _, envelope in received] == [
        "ModelRegistered",
        "ModelVersionCreated",
        "ModelVersionCreated",
        "ModelAliasMoved",
        "ModelPromoted",
        "DeploymentChanged",
    ]
    moved = events_pb2.ModelAliasMoved()
    assert received[3][1].payload.Unpack(moved)
    assert (moved.alias, moved.model_version, moved.moved_by.name, moved.reason) == (
        "champion",
        first.name,
        ADMIN,
        "best so far",
    )
    changed = events_pb2.DeploymentChanged()
    assert received[5][1].payload.Unpack(changed)
    assert [(split.alias, split.model_version, split.percent) for split in changed.traffic] == [
        ("champion", "", 90),
        ("", second.name, 10),
    ]
    assert all(envelope.source == "ms_ml" for _, envelope in received)
