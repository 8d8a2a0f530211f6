"""The inbox: which events a consumer group has applied, so a redelivery is applied once."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from knowledge_kit.events.tables import inbox_events


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
    """`claim_event` for many (event id, topic) pairs in two statements: the ids of those not
    applied before, now recorded as applied in the session's transaction."""
    if not events:
        return set()
    ids = [event_id for event_id, _ in events]
    applied = await session.execute(
        select(inbox_events.c.event_id).where(
            inbox_events.c.consumer_group == consumer_group, inbox_events.c.event_id.in_(ids)
        )
    )
    seen = set(applied.scalars())
    fresh: dict[str, str] = {}
    for event_id, topic in events:
        if event_id not in seen:
            fresh.setdefault(event_id, topic)
    if fresh:
        insert = (
            postgresql.insert(inbox_events)
            if session.get_bind().dialect.name == "postgresql"
            else sqlite.insert(inbox_events)
        )
        rows = [
            {"consumer_group": consumer_group, "event_id": event_id, "topic": topic}
            for event_id, topic in fresh.items()
        ]
        await session.execute(insert.on_conflict_do_nothing(), rows)
    return set(fresh)
