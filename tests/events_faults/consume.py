"""One consumer process of the fault test, applying events as a service would.

`python -m tests.events_faults.consume DATABASE_URL BOOTSTRAP TOPIC GROUP NAME`: the kit's
EventConsumer in group GROUP; each DocumentUpdated moves its document in the ledger, in the
transaction of the inbox record. Stops on SIGTERM; SIGKILL is the fault under test.
"""

from __future__ import annotations

import asyncio
import signal
import sys
from collections.abc import Sequence

from knowledge.knowledge.v1 import events_pb2
from knowledge_kit.database.engine import create_database_engine, session_factory
from knowledge_kit.events import consumer as consumer_module
from knowledge_kit.events.consumer import ConsumedEvent, EventConsumer
from knowledge_kit.events.inbox import claim_event, claim_events
from sqlalchemy.ext.asyncio import AsyncSession

from .ledger import apply_revision, suppressed_duplicates


def count_suppressed_duplicates(consumer: str) -> None:
    """Note each event the inbox turns away, in the same transaction as the turning away.

    The kit keeps no such count (a killed process would lose it anyway), so the driver wraps
    the consumer's inbox claims (one event's, a batch's): the count then commits exactly when
    the skip does.
    """

    async def claim(session: AsyncSession, consumer_group: str, event_id: str, topic: str) -> bool:
        claimed = await claim_event(session, consumer_group, event_id, topic)
        if not claimed:
            await session.execute(
                suppressed_duplicates.insert().values(event_id=event_id, consumer=consumer)
            )
        return claimed

    async def claim_many(
        session: AsyncSession, consumer_group: str, events: Sequence[tuple[str, str]]
    ) -> set[str]:
        claimed = await claim_events(session, consumer_group, events)
        for event_id in {event_id for event_id, _ in events} - claimed:
            await session.execute(
                suppressed_duplicates.insert().values(event_id=event_id, consumer=consumer)
            )
        return claimed

    consumer_module.claim_event = claim  # type: ignore[attr-defined]
    consumer_module.claim_events = claim_many  # type: ignore[attr-defined]


async def consume(database_url: str, bootstrap: str, topic: str, group: str, name: str) -> None:
    engine = create_database_engine(database_url, traced=False)

    async def apply(event: ConsumedEvent) -> None:
        payload: events_pb2.DocumentUpdated = event.payload
        await apply_revision(
            event.session,
            event_id=event.envelope.id,
            document=payload.document,
            revision=payload.revision,
            consumer=name,
        )

    count_suppressed_duplicates(name)
    consumer = EventConsumer(
        service="ms_faults",
        group_id=group,
        bootstrap=bootstrap,
        topics=[topic],
        sessions=session_factory(engine),
        handlers={events_pb2.DocumentUpdated: apply},
    )
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    try:
        await consumer.run(stop)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    database_url, bootstrap, topic, group, name = sys.argv[1:]
    asyncio.run(consume(database_url, bootstrap, topic, group, name))
