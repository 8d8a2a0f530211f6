"""Two consumers claiming overlapping events in different orders (a redelivery during a
rebalance) wait for each other in turn instead of deadlocking, which would fail one poll's
transaction and stop that consumer."""

from __future__ import annotations

import asyncio

from knowledge_kit.events.inbox import claim_events

from .events_support import notes_database

GROUP = "notes-projector"


async def test_claims_in_opposite_orders_wait_for_each_other_instead_of_deadlocking(
    postgres_database_url: str,
) -> None:
    async with (
        notes_database(postgres_database_url) as sessions,
        sessions() as first,
        sessions() as second,
    ):
        await first.begin()
        await second.begin()
        assert await claim_events(first, GROUP, [("event-a", "notes")]) == {"event-a"}
        # The second consumer got the same events the other way round: it must wait for
        # event-a before it holds event-b, or the first one's claim of event-b deadlocks.
        waiting = asyncio.ensure_future(
            claim_events(second, GROUP, [("event-b", "notes"), ("event-a", "notes")])
        )
        await asyncio.sleep(0.5)
        assert not waiting.done()
        assert await asyncio.wait_for(claim_events(first, GROUP, [("event-b", "notes")]), 10) == {
            "event-b"
        }
        await first.commit()
        assert await asyncio.wait_for(waiting, 10) == set()
        await second.commit()
