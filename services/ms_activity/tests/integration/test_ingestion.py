"""Consumed events on the timelines: each event once however often it is delivered, in the
bucket of when it happened however late it arrives, malformed ones refused (so dead-lettered),
and nothing of a transaction that rolled back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from knowledge.canvas.v1.events_pb2 import CanvasChanged
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1.events_pb2 import DocumentCreated, DocumentUpdated, SpaceMemberAdded
from knowledge.knowledge.v1.space_pb2 import SPACE_ROLE_VIEWER
from knowledge_kit.errors import PermissionDeniedError, ValidationError

from ms_activity.main import ActivityParts
from ms_activity.server.event_drafts import MAPPERS

from ..support import NOW, Events, Spaces, daily, envelope, person, timeline

ADA, BOB, CY = "users/ada", "users/bob", "users/cy"
SPACE = "spaces/handbook"
DOCUMENT = f"{SPACE}/documents/onboarding"


def edit(by: str, revision: int, title: str = "Onboarding") -> DocumentUpdated:
    return DocumentUpdated(
        document=DOCUMENT,
        space=SPACE,
        title=title,
        revision=revision,
        author=Actor(name=by, display_name=by.removeprefix("users/").capitalize()),
    )


async def test_an_edit_shows_on_the_space_the_author_and_the_document_timelines_once(
    parts: ActivityParts, events: Events, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA, BOB)
    (first,) = await events.apply(envelope(edit(ADA, 2), at=NOW - timedelta(minutes=1)))
    await events.apply(first)  # Kafka delivering it again: the inbox turns it away
    await events.apply(edit(BOB, 3, "Onboarding v2"))
    bob = person(BOB)
    expected = ['Bob updated "Onboarding v2"', 'Ada updated "Onboarding"']
    assert await timeline(parts, SPACE, bob) == expected
    assert await timeline(parts, DOCUMENT, bob) == expected
    assert await timeline(parts, ADA, person(ADA)) == ['Ada updated "Onboarding"']


async def test_the_store_counts_an_event_once_even_when_the_inbox_forgot_it(
    parts: ActivityParts, events: Events, spaces: Spaces
) -> None:
    """A store insert whose SQL commit failed is applied again: the store's dedupe holds."""
    await spaces.add(SPACE, ADA)
    (wrapped,) = await events.apply(edit(ADA, 2))
    drafts = MAPPERS[DocumentUpdated](edit(ADA, 2))
    activities = parts.ingestion.activities(wrapped, DocumentUpdated.DESCRIPTOR.full_name, drafts)
    assert await parts.forwarder.store.record(activities) == set()
    assert await timeline(parts, SPACE, person(ADA)) == ['Ada updated "Onboarding"']


async def test_a_late_event_lands_in_the_bucket_of_when_it_happened(
    parts: ActivityParts, events: Events, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA)
    await events.apply(envelope(edit(ADA, 2), at=NOW - timedelta(hours=1)))
    await events.apply(envelope(edit(ADA, 3), at=NOW - timedelta(days=2, hours=1)))  # late
    aggregate, _ = await parts.aggregates.aggregate(
        person(ADA), daily(SPACE, NOW - timedelta(days=3), NOW)
    )
    assert [bucket.total for bucket in aggregate.buckets] == [0, 1, 0, 1]
    assert aggregate.total == 2


async def test_a_canvas_change_counts_each_editor(
    parts: ActivityParts, events: Events, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA)
    editors = [Actor(name=ADA, display_name="Ada"), Actor(name=BOB, display_name="Bob")]
    change = CanvasChanged(canvas=f"{SPACE}/canvases/map", space=SPACE, revision=4, editors=editors)
    (wrapped,) = await events.apply(change)
    await events.apply(wrapped)
    aggregate, _ = await parts.aggregates.aggregate(
        person(ADA), daily(SPACE, NOW - timedelta(days=1), NOW + timedelta(seconds=1))
    )
    assert (aggregate.total, aggregate.distinct_actors) == (2, 2)


@pytest.mark.parametrize(
    "malformed",
    [
        DocumentCreated(document="not a document", space=SPACE),
        DocumentCreated(document=DOCUMENT, space="spaces/elsewhere"),
        DocumentCreated(document=DOCUMENT, author=Actor(name="robots/r2")),
        SpaceMemberAdded(space=SPACE, user=BOB, role=99),  # type: ignore[arg-type]
    ],
)
async def test_a_malformed_event_is_refused_and_nothing_of_its_batch_is_recorded(
    parts: ActivityParts, events: Events, spaces: Spaces, malformed: object
) -> None:
    await spaces.add(SPACE, ADA)
    with pytest.raises(ValidationError):
        await events.apply(edit(ADA, 2), malformed)  # type: ignore[arg-type]
    assert await timeline(parts, SPACE, person(ADA)) == []


async def test_an_event_without_a_time_is_refused(parts: ActivityParts, events: Events) -> None:
    wrapped = envelope(edit(ADA, 2))
    wrapped.ClearField("time")
    with pytest.raises(ValidationError):
        await events.apply(wrapped)


async def test_memberships_from_the_spaces_topic_decide_who_sees_the_space(
    parts: ActivityParts, events: Events
) -> None:
    await events.apply(
        SpaceMemberAdded(space=SPACE, user=CY, role=SPACE_ROLE_VIEWER, added_by=Actor(name=ADA))
    )
    assert await timeline(parts, SPACE, person(CY)) == ['ada added a member to "handbook"']
    with pytest.raises(PermissionDeniedError):
        await timeline(parts, SPACE, person(BOB))
    assert await timeline(parts, SPACE, person(BOB, "admin")) != []
