"""The relay hands Kafka whole record batches: each record still lands in the partition its key
picks, in the outbox's order, however many batches a partition's share takes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable

from google.protobuf.wrappers_pb2 import StringValue
from knowledge.common.v1 import event_envelope_pb2

from knowledge_kit.database import UnitOfWork
from knowledge_kit.events import Outbox, OutboxRelay

from .events_support import note_topic, notes_database, read_topic, running_producer

SUBJECTS = [f"notes/{number}" for number in range(12)]


async def test_each_record_goes_to_its_keys_partition_in_the_order_it_was_recorded(
    postgres_database_url: str,
    kafka_bootstrap: str,
    new_kafka_topic: Callable[..., Awaitable[str]],
) -> None:
    topic = await new_kafka_topic("notes", partitions=3)
    # 600 events of 4 KiB: about 800 KiB a partition, more than one record batch (512 KiB).
    recorded = [(f"{number:04d}" + "x" * 4096, SUBJECTS[number % 12]) for number in range(600)]
    async with notes_database(postgres_database_url) as sessions:
        for start in range(0, 600, 150):
            async with UnitOfWork(sessions) as uow:
                await Outbox("ms_test").record_many(
                    uow.session,
                    note_topic(topic),
                    [(StringValue(value=body), key) for body, key in recorded[start : start + 150]],
                )
                await uow.commit()
        async with running_producer(kafka_bootstrap) as producer:
            assert await OutboxRelay(sessions, producer).publish_pending_events() == 600
            # Where the producer itself puts each key, record by record.
            partition_of = {
                subject: (
                    await (await producer.send(topic, b"probe", key=subject.encode()))
                ).partition
                for subject in SUBJECTS
            }
    assert len(set(partition_of.values())) == 3, "the twelve keys should spread over three"

    published = await read_topic(kafka_bootstrap, topic, expected=600 + 12)
    bodies_of: dict[str, list[str]] = defaultdict(list)
    for record in published:
        subject = record.key.decode()
        assert record.partition == partition_of[subject], f"{subject} left its partition"
        if record.value != b"probe":
            bodies_of[subject].append(_body(record.value))
    for subject in SUBJECTS:
        assert bodies_of[subject] == [body for body, key in recorded if key == subject]


def _body(envelope_bytes: bytes) -> str:
    envelope = event_envelope_pb2.EventEnvelope.FromString(envelope_bytes)
    event = StringValue()
    envelope.payload.Unpack(event)
    return event.value
