"""Timelines: newest first, paged without repeats or gaps, filtered; each person sees their
own, a space's members the space's and its resources', administrators everything."""

from __future__ import annotations

from datetime import timedelta

import pytest
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1.events_pb2 import DocumentDeleted, DocumentUpdated
from knowledge_kit.errors import PermissionDeniedError, ValidationError

from ms_activity.domain.filters import Filters
from ms_activity.main import ActivityParts
from ms_activity.service.timelines import TimelineRequest

from ..support import NOW, Events, Spaces, envelope, person, timeline

ADA, BOB, CY = "users/ada", "users/bob", "users/cy"
SPACE = "spaces/handbook"


def edit(number: int, by: str = ADA) -> DocumentUpdated:
    return DocumentUpdated(
        document=f"{SPACE}/documents/d{number % 2}",
        space=SPACE,
        title=f"Page {number}",
        revision=number + 2,
        author=Actor(name=by, display_name=by.removeprefix("users/").capitalize()),
    )


async def test_pages_walk_the_timeline_newest_first_without_repeats_or_gaps(
    parts: ActivityParts, events: Events, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA)
    # Seven at the same instant (ordered by id) and five a minute apart.
    await events.apply(*(envelope(edit(n), at=NOW - timedelta(hours=1)) for n in range(7)))
    await events.apply(*(envelope(edit(n), at=NOW - timedelta(minutes=n)) for n in range(7, 12)))
    seen: list[str] = []
    token = ""
    while True:
        page = await parts.timelines.list(
            person(ADA), TimelineRequest(SPACE, 3, token, None, None, Filters())
        )
        seen.extend(activity.id for activity in page.items)
        token = page.next_page_token
        if not token:
            break
    assert len(seen) == len(set(seen)) == 12
    everything = await parts.timelines.list(
        person(ADA), TimelineRequest(SPACE, 50, "", None, None, Filters())
    )
    assert [activity.id for activity in everything.items] == seen
    times = [activity.occur_time for activity in everything.items]
    assert times == sorted(times, reverse=True)


async def test_filters_keep_verbs_actors_sources_properties_and_the_range(
    parts: ActivityParts, events: Events, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA, BOB)
    await events.apply(
        envelope(edit(1), at=NOW - timedelta(days=2)),
        envelope(edit(2, BOB), at=NOW - timedelta(hours=2)),
        envelope(
            DocumentDeleted(
                document=f"{SPACE}/documents/d0", space=SPACE, deleted_by=Actor(name=BOB)
            ),
            at=NOW - timedelta(hours=1),
        ),
    )
    ada = person(ADA)
    assert await timeline(parts, SPACE, ada, filters=Filters(verbs=("document.updated",))) == [
        'Bob updated "Page 2"',
        'Ada updated "Page 1"',
    ]
    assert await timeline(parts, SPACE, ada, filters=Filters(actors=(ADA,))) == [
        'Ada updated "Page 1"'
    ]
    assert await timeline(parts, SPACE, ada, filters=Filters(properties={"title": "Page 2"})) == [
        'Bob updated "Page 2"'
    ]
    assert await timeline(parts, SPACE, ada, filters=Filters(sources=("web",))) == []
    assert await timeline(parts, SPACE, ada, start=NOW - timedelta(days=1)) == [
        'bob deleted "d0"',
        'Bob updated "Page 2"',
    ]


async def test_each_person_sees_their_own_timeline_and_their_spaces(
    parts: ActivityParts, events: Events, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA)
    await events.apply(edit(1))
    assert await timeline(parts, ADA, person(ADA)) == ['Ada updated "Page 1"']
    for parent in (ADA, SPACE, f"{SPACE}/documents/d1"):
        with pytest.raises(PermissionDeniedError):
            await timeline(parts, parent, person(CY))
        assert await timeline(parts, parent, person(CY, "admin")) == ['Ada updated "Page 1"']
    await spaces.remove(SPACE, ADA)
    with pytest.raises(PermissionDeniedError):
        await timeline(parts, SPACE, person(ADA))  # a member no more


async def test_a_page_token_continues_only_its_own_listing(
    parts: ActivityParts, events: Events, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA)
    await events.apply(*(envelope(edit(n), at=NOW - timedelta(minutes=n)) for n in range(3)))
    first = await parts.timelines.list(
        person(ADA), TimelineRequest(SPACE, 1, "", None, None, Filters())
    )
    with pytest.raises(ValidationError) as refused:
        await parts.timelines.list(
            person(ADA),
            TimelineRequest(SPACE, 1, first.next_page_token, None, None, Filters(actors=(BOB,))),
        )
    assert refused.value.violations[0].field == "page_token"
