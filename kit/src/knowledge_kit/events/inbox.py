"""The inbox: which events a consumer group has applied, so a redelivery is applied once."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge_kit.events.tables import inbox_events

# A batch's claim on PostgreSQL: one statement whatever the batch's size, its ids and topics two
# array parameters, the ids it claimed one array in one row. A VALUES row per event was compiled
# anew for each size of batch and bound three parameters an event; a row per claimed id came back
# through SQLAlchemy's row processing, a third of the claim's cost.
_CLAIM_ARRAYS = text(
    f"WITH claimed AS (INSERT INTO {inbox_events.name} (consumer_group, event_id, topic) "
    "SELECT :consumer_group, batch.event_id, batch.topic "
    "FROM unnest(CAST(:event_ids AS varchar[]), CAST(:topics AS varchar[])) "
    "AS batch(event_id, topic) "
    "ON CONFLICT DO NOTHING RETURNING event_id) "
    "SELECT coalesce(array_agg(event_id), '{}') FROM claimed"
)  # Typed in SQL, not as SQLAlchemy ARRAYs: those pass every element through a bind processor.


async def claim_event(
    session: AsyncSession, consumer_group: str, event_id: str, topic: str
) -> bool:
    """Record the event as applied by `consumer_group` in the session's transaction; False when
    it already was (the caller then skips it)."""
    values = {"consumer_group": consumer_group, "event_id": event_id, "topic": topic}
    insert = (
        postgresql.insert(inbox_events)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(inbox_events)
    )
    result = await session.execute(insert.values(**values).on_conflict_do_nothing())
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def claim_events(
    session: AsyncSession, consumer_group: str, events: Sequence[tuple[str, str]]
) -> set[str]:
    """`claim_event` for many (event id, topic) pairs in one statement: the ids this
    transaction recorded as applied. An id another transaction holds or has recorded is not
    among them (PostgreSQL makes this insert wait for that transaction, then skip the row).

    The ids are claimed in sorted order: two consumers given overlapping events in different
    orders (a redelivery during a rebalance) then wait for each other in turn, where claiming
    them as they came could deadlock, failing one of the two transactions."""
    topics = dict(sorted(dict(events).items()))  # each id once, in one order for every claim
    if not topics:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        claimed = await session.execute(
            _CLAIM_ARRAYS,
            {
                "consumer_group": consumer_group,
                "event_ids": list(topics),
                "topics": list(topics.values()),
            },
        )
        return set(claimed.scalar_one())
    rows = [
        {"consumer_group": consumer_group, "event_id": event_id, "topic": topic}
        for event_id, topic in topics.items()
    ]
    claimed = await session.execute(
        sqlite.insert(inbox_events)
        .values(rows)
        .on_conflict_do_nothing()
        .returning(inbox_events.c.event_id)
    )
    return set(claimed.scalars())
