"""The inbox: which events a consumer group has applied, so a redelivery is applied once."""

from __future__ import annotations

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
