"""Consumed activities are pending from the moment their events' transaction commits until the
store has them: nothing is lost while no forwarder runs (a stopped service, an unreachable
store), and a batch the store took but that was not yet removed (a crash in between) is
counted once when forwarded again."""

from __future__ import annotations

from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1.events_pb2 import DocumentUpdated
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_activity.main import ActivityParts
from ms_activity.repository.pending import PendingActivities

from ..support import Events, Spaces, person, timeline

ADA = "users/ada"
SPACE = "spaces/handbook"


def edit(document: str) -> DocumentUpdated:
    return DocumentUpdated(
        document=f"{SPACE}/documents/{document}", space=SPACE, revision=2, author=Actor(name=ADA)
    )


async def test_pending_activities_wait_and_a_repeated_forward_counts_them_once(
    parts: ActivityParts,
    events: Events,
    spaces: Spaces,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await spaces.add(SPACE, ADA)
    await events.apply(edit("d1"), edit("d2"), forward=False)
    async with sessions() as session:
        pending = await PendingActivities(session).oldest(10)
    assert len(pending) == 2
    assert await timeline(parts, SPACE, person(ADA)) == []
    # The store took them, then the process stopped before the rows were removed.
    await parts.forwarder.store.record([one.activity for one in pending])
    await parts.forwarder.forward_all()
    async with sessions() as session:
        assert await PendingActivities(session).count() == 0
    assert sorted(await timeline(parts, SPACE, person(ADA))) == [
        'ada updated "d1"',
        'ada updated "d2"',
    ]
