"""The inbox: which events a consumer group has applied, so a redelivery is applied once."""

from __future__ import annotations

from collections.abc import Sequence

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
    """`claim_event` for many (event id, topic) pairs in one statement: the ids this
    transaction recorded as applied. An id another transaction holds or has recorded is not
    among them (PostgreSQL makes this insert wait for that transaction, then skip the row)."""
    rows: dict[str, dict[str, str]] = {}
    for event_id, topic in events:
        rows.setdefault(
            event_id, {"consumer_group": consumer_group, "event_id": event_id, "topic": topic}
        )
    if not rows:
        return set()
    insert = (
        postgresql.insert(inbox_events)
        if session.get_bind().dialect.name == "postgresql"
        else sqlite.insert(inbox_events)
    )
    claimed = await session.execute(
        insert.values(list(rows.values()))
        .on_conflict_do_nothing()
        .returning(inbox_events.c.event_id)
    )
    return set(claimed.scalars())
