"""Aggregates in the caller's time zone: days of 23 and 25 hours across daylight-saving changes,
hours starting at half past in +05:30 zones, distinct actors per bucket and over the range (not
their sum), breakdowns with the rest summed, the top objects and actors; the platform's only for
administrators."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1.events_pb2 import DocumentUpdated
from knowledge_kit.errors import PermissionDeniedError, ValidationError

from ms_activity.domain.buckets import Dimension, Interval
from ms_activity.main import ActivityParts

from ..support import NOW, Clock, Events, Spaces, daily, envelope, person

ADA, BOB, CY = "users/ada", "users/bob", "users/cy"
SPACE = "spaces/handbook"


def edit(by: str, document: str = "d1") -> DocumentUpdated:
    return DocumentUpdated(
        document=f"{SPACE}/documents/{document}", space=SPACE, revision=2, author=Actor(name=by)
    )


async def test_days_follow_amsterdam_across_the_spring_change(
    parts: ActivityParts, events: Events, spaces: Spaces, clock: Clock
) -> None:
    """2026-03-29 in Europe/Amsterdam lasts 23 hours: 22:30 UTC that day is the next local day."""
    await spaces.add(SPACE, ADA)
    start = datetime(2026, 3, 27, 23, 0, tzinfo=UTC)  # Mar 28 00:00 local (+01:00)
    end = datetime(2026, 3, 29, 22, 0, tzinfo=UTC)  # Mar 30 00:00 local (+02:00)
    clock.now = end + timedelta(hours=1)
    await events.apply(
        envelope(edit(ADA), at=datetime(2026, 3, 28, 22, 30, tzinfo=UTC)),  # Mar 28 23:30 local
        envelope(edit(BOB), at=datetime(2026, 3, 28, 23, 30, tzinfo=UTC)),  # Mar 29 00:30 local
        envelope(edit(ADA), at=datetime(2026, 3, 29, 21, 30, tzinfo=UTC)),  # Mar 29 23:30 local
    )
    aggregate, zone = await parts.aggregates.aggregate(
        person(ADA), daily(SPACE, start, end, zone="Europe/Amsterdam")
    )
    assert zone == "Europe/Amsterdam"
    assert [(b.start, b.end - b.start, b.total) for b in aggregate.buckets] == [
        (start, timedelta(hours=24), 1),
        (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), timedelta(hours=23), 2),
    ]
    assert [b.distinct_actors for b in aggregate.buckets] == [1, 2]
    assert aggregate.distinct_actors == 2  # not 1 + 2


async def test_hours_in_kolkata_start_at_half_past_utc_hours(
    parts: ActivityParts, events: Events, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA)
    await events.apply(envelope(edit(ADA), at=NOW - timedelta(minutes=20)))  # 11:40 UTC
    aggregate, _ = await parts.aggregates.aggregate(
        person(ADA),
        daily(SPACE, NOW - timedelta(hours=2), NOW, zone="Asia/Kolkata", interval=Interval.HOUR),
    )
    starts = [bucket.start.astimezone(UTC).strftime("%H:%M") for bucket in aggregate.buckets]
    assert starts == ["09:30", "10:30", "11:30"]  # local hours; the range cuts the first
    assert [bucket.total for bucket in aggregate.buckets] == [0, 0, 1]


async def test_breakdowns_and_the_top_objects_and_actors(
    parts: ActivityParts, events: Events, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA)
    await events.apply(
        *(
            envelope(edit(by, doc), at=NOW - timedelta(hours=1))
            for by, doc in [
                (ADA, "d1"),
                (ADA, "d1"),
                (BOB, "d1"),
                (BOB, "d2"),
                (CY, "d3"),
            ]
        )
    )
    aggregate, _ = await parts.aggregates.aggregate(
        person(ADA),
        daily(SPACE, NOW - timedelta(days=1), NOW, breakdown=Dimension.ACTOR, top_count=2),
    )
    last = aggregate.buckets[-1]
    assert [(c.key, c.count) for c in last.breakdown] == [(ADA, 2), (BOB, 2), (CY, 1)]
    assert [(c.key, c.count, c.distinct_actors) for c in aggregate.top_objects] == [
        (f"{SPACE}/documents/d1", 3, 2),
        (f"{SPACE}/documents/d2", 1, 1),
    ]
    assert [c.key for c in aggregate.top_actors] == [ADA, BOB]


async def test_the_platform_is_for_administrators_and_bad_requests_name_the_field(
    parts: ActivityParts, events: Events, spaces: Spaces
) -> None:
    await spaces.add(SPACE, ADA)
    await events.apply(envelope(edit(ADA), at=NOW - timedelta(hours=1)))
    week = (NOW - timedelta(days=7), NOW)
    with pytest.raises(PermissionDeniedError):
        await parts.aggregates.aggregate(person(ADA), daily("", *week))
    platform, _ = await parts.aggregates.aggregate(person(BOB, "admin"), daily("", *week))
    assert platform.total == 1
    for request, field in [
        (daily(SPACE, *week, zone="Mars/Olympus"), "time_zone"),
        (daily(SPACE, NOW - timedelta(days=800), NOW), "time_range"),
        (daily(SPACE, NOW, NOW + timedelta(hours=1)), "time_range.end_time"),
        (daily(SPACE, NOW - timedelta(days=300), NOW, interval=Interval.HOUR), "interval"),
    ]:
        with pytest.raises(ValidationError) as refused:
            await parts.aggregates.aggregate(person(ADA), request)
        assert refused.value.violations[0].field == field
