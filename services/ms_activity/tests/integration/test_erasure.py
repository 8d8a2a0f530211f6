"""Erasure: a user's activities, and those about their own resources, gone from every timeline
and aggregate; asked by the user or an administrator, followed through the operation."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from knowledge.chat.v1.events_pb2 import ConversationCreated
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1.events_pb2 import DocumentUpdated
from knowledge_kit.errors import NotFoundError, PermissionDeniedError

from ms_activity.domain.erasures import Erasure, ErasureState
from ms_activity.main import ActivityParts

from ..support import NOW, Events, Spaces, daily, envelope, person, timeline

ADA, BOB = "users/ada", "users/bob"
SPACE = "spaces/handbook"


def edit(by: str) -> DocumentUpdated:
    return DocumentUpdated(
        document=f"{SPACE}/documents/d1", space=SPACE, revision=2, author=Actor(name=by)
    )


async def finished(parts: ActivityParts, erasure: Erasure) -> Erasure:
    """The erasure once the background runner has carried it out."""
    stop = asyncio.Event()
    runner = asyncio.create_task(parts.erasures.run(stop))
    try:
        async with asyncio.timeout(30):
            while True:
                now = await parts.erasures.get(person(erasure.user), erasure.name)
                if now.state is not ErasureState.RUNNING:
                    return now
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await runner


async def test_an_erased_user_is_gone_from_timelines_and_aggregates(
    parts: ActivityParts, events: Events, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA, BOB)
    await events.apply(
        envelope(edit(ADA), at=NOW - timedelta(hours=3)),
        envelope(edit(BOB), at=NOW - timedelta(hours=2)),
        envelope(
            ConversationCreated(conversation=f"{ADA}/conversations/c1", user=ADA),
            at=NOW - timedelta(hours=1),
            source="ms_chat",
        ),
    )
    erasure = await parts.erasures.erase(person(ADA), ADA)
    assert erasure.name.startswith(f"{ADA}/erasures/")
    done = await finished(parts, erasure)
    assert (done.state, done.erased_count) == (ErasureState.SUCCEEDED, 2)
    assert await timeline(parts, SPACE, person(BOB)) == ['bob updated "d1"']
    assert await timeline(parts, ADA, person(ADA)) == []
    aggregate, _ = await parts.aggregates.aggregate(
        person(BOB, "admin"), daily("", NOW - timedelta(days=1), NOW)
    )
    assert (aggregate.total, aggregate.distinct_actors) == (1, 1)


async def test_only_the_user_or_an_administrator_erases_or_follows_it(
    parts: ActivityParts,
) -> None:
    with pytest.raises(PermissionDeniedError):
        await parts.erasures.erase(person(BOB), ADA)
    erasure = await parts.erasures.erase(person(BOB, "admin"), ADA)
    assert erasure.requested_by == BOB
    with pytest.raises(PermissionDeniedError):
        await parts.erasures.get(person(BOB), erasure.name)
    assert (await parts.erasures.get(person(ADA), erasure.name)).user == ADA
    with pytest.raises(NotFoundError):
        await parts.erasures.get(person(ADA), f"{ADA}/erasures/{'0' * 32}")
