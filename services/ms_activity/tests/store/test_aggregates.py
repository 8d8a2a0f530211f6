"""Aggregates: buckets in the caller's zone, distinct actors, breakdowns and top lists, the same
from the rollups as from the raw activities."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ms_activity.domain.buckets import Dimension, Interval
from ms_activity.domain.filters import Filters
from ms_activity.domain.scope import ScopeKind
from ms_activity.store import (
    Aggregate,
    AggregatePath,
    ChdbSql,
    ClickHouseActivityStore,
    Count,
)

from .making import T0, activity, daily, random_activities


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _starts(aggregate: Aggregate) -> list[str]:
    return [b.start.strftime("%m-%d %H:%M") for b in aggregate.buckets]


async def test_days_follow_daylight_saving_changes_in_two_zones(
    activity_store: ClickHouseActivityStore,
) -> None:
    """Amsterdam springs forward on 29 March 2026 (a 23-hour day), New York falls back on
    1 November 2026 (a 25-hour day); an activity at 23:30 local time is on that local day."""
    await activity_store.record(
        [
            activity(1, at=_at("2026-03-28T22:30")),  # 23:30 on the 28th in Amsterdam
            activity(2, at=_at("2026-03-29T21:30")),  # 23:30 on the 29th (CEST)
            activity(3, at=_at("2026-11-02T04:30")),  # 23:30 on 1 November in New York (EST)
        ]
    )

    amsterdam = await activity_store.aggregate(
        daily(start=_at("2026-03-27T23:00"), end=_at("2026-03-30T22:00"), zone="Europe/Amsterdam")
    )
    assert _starts(amsterdam) == ["03-27 23:00", "03-28 23:00", "03-29 22:00"]
    assert [b.end - b.start for b in amsterdam.buckets][:2] == [
        timedelta(hours=24),
        timedelta(hours=23),
    ]
    assert [b.total for b in amsterdam.buckets] == [1, 1, 0]

    new_york = await activity_store.aggregate(
        daily(start=_at("2026-10-31T04:00"), end=_at("2026-11-03T05:00"), zone="America/New_York")
    )
    assert _starts(new_york) == ["10-31 04:00", "11-01 04:00", "11-02 05:00"]
    assert new_york.buckets[1].end - new_york.buckets[1].start == timedelta(hours=25)
    assert [b.total for b in new_york.buckets] == [0, 1, 0]


@pytest.mark.parametrize(
    ("interval", "starts"),
    [
        (Interval.HOUR, ["03-01 17:30", "03-01 18:30", "03-01 19:30"]),
        (Interval.DAY, ["02-28 18:30", "03-01 18:30"]),
        # 18:29 is Sunday 23:59 local time, 18:31 Monday 00:01: two weeks.
        (Interval.WEEK, ["02-22 18:30", "03-01 18:30"]),
        (Interval.MONTH, ["02-28 18:30"]),  # 1 March, local midnight
    ],
)
async def test_buckets_of_a_half_hour_zone(
    activity_store: ClickHouseActivityStore, interval: Interval, starts: list[str]
) -> None:
    await activity_store.record(
        [activity(1, at=_at("2026-03-01T18:29")), activity(2, at=_at("2026-03-01T18:31"))]
    )
    aggregate = await activity_store.aggregate(
        daily(
            start=_at("2026-03-01T18:00"),
            end=_at("2026-03-01T20:00"),
            interval=interval,
            zone="Asia/Kolkata",
        )
    )
    assert _starts(aggregate) == starts
    assert aggregate.total == 2
    if interval is Interval.DAY:
        assert [b.total for b in aggregate.buckets] == [1, 1]


async def test_distinct_actors_per_bucket_and_over_the_range(
    activity_store: ClickHouseActivityStore,
) -> None:
    await activity_store.record(
        [
            activity(1, at=T0, actor="users/ada"),
            activity(2, at=T0 + timedelta(hours=1), actor="users/ada"),
            activity(3, at=T0 + timedelta(hours=2), actor="users/bob"),
            activity(4, at=T0 + timedelta(days=1), actor="users/ada"),
            activity(5, at=T0 + timedelta(days=1), actor=""),  # the system
        ]
    )
    aggregate = await activity_store.aggregate(daily(end=T0 + timedelta(days=2), top=5))
    assert [(b.total, b.distinct_actors) for b in aggregate.buckets] == [(3, 2), (2, 1)]
    assert (aggregate.total, aggregate.distinct_actors) == (5, 2)  # not 2 + 1
    assert aggregate.top_actors == [Count("users/ada", 3, 1), Count("users/bob", 1, 1)]
    assert aggregate.top_objects == [Count("spaces/s1/documents/d1", 5, 2)]


async def test_breakdowns_keep_the_largest_keys_and_sum_the_rest(
    activity_store: ClickHouseActivityStore,
) -> None:
    verbs = ["a.b"] * 4 + ["c.d"] * 3 + ["e.f"] * 2 + ["g.h", "i.j"]
    await activity_store.record(
        [
            activity(n, at=T0 + timedelta(minutes=n), verb=v, actor=f"users/u{n % 2}")
            for n, v in enumerate(verbs)
        ]
    )
    for breakdown in (Dimension.VERB, Dimension.ACTOR):
        bucket = (
            await activity_store.aggregate(daily(end=T0 + timedelta(days=1), breakdown=breakdown))
        ).buckets[0]
        assert sum(c.count for c in bucket.breakdown) + bucket.other_count == 11
    bucket = (
        await activity_store.aggregate(daily(end=T0 + timedelta(days=1), breakdown=Dimension.VERB))
    ).buckets[0]
    assert [(c.key, c.count) for c in bucket.breakdown] == [("a.b", 4), ("c.d", 3), ("e.f", 2)]
    assert bucket.other_count == 2
    assert bucket.counts_by_event_type == {"a.b": 4, "c.d": 3, "e.f": 2, "g.h": 1, "i.j": 1}


@pytest.mark.parametrize("zone", ["UTC", "Europe/Amsterdam", "Asia/Kolkata", "Asia/Kathmandu"])
async def test_rollups_answer_what_the_raw_activities_answer(
    activity_store: ClickHouseActivityStore, zone: str
) -> None:
    """Spaces' and the platform's aggregates come from the rollups; over ranges that cut
    15-minute slots at both ends they equal the same questions asked of the activities."""
    await activity_store.record(random_activities(2_000))
    start, end = T0 + timedelta(hours=5, minutes=7, seconds=3), T0 + timedelta(days=33, minutes=52)
    for kind, scope in [(ScopeKind.SPACE, "spaces/s1"), (ScopeKind.PLATFORM, "")]:
        for interval in (Interval.HOUR, Interval.DAY, Interval.WEEK, Interval.MONTH):
            query = daily(
                kind=kind, scope=scope, start=start, end=end, interval=interval, zone=zone
            )
            rolled = await activity_store.aggregate(query)
            raw = await activity_store.aggregate(replace(query, path=AggregatePath.RAW))
            assert rolled == raw
            assert rolled.total > 0


async def test_the_store_counts_a_space_s_few_activities_from_themselves_and_the_platform_from_its_rollups(
    chdb_path: Path, database: str
) -> None:
    """Left to choose, the store reads a space's rollups only when its range holds more than its
    `space_raw_up_to` activities, and the platform's whenever they answer, however few the range
    holds (or rollups cannot answer at all); the answer is the same either way."""
    store = ClickHouseActivityStore(ChdbSql(str(chdb_path)), database, space_raw_up_to=300)
    store.migrate()
    try:
        await store.record(random_activities(2_000))  # a third in each space, over 40 days
        week, whole = T0 + timedelta(days=7), T0 + timedelta(days=40)
        cases = [
            (daily(end=week), AggregatePath.RAW),  # ~120 of the space's activities
            (daily(end=whole), AggregatePath.ROLLUPS),  # ~670
            (daily(kind=ScopeKind.PLATFORM, scope="", end=week), AggregatePath.ROLLUPS),  # ~350
            (  # ~50
                daily(kind=ScopeKind.PLATFORM, scope="", end=T0 + timedelta(days=1)),
                AggregatePath.ROLLUPS,
            ),
            (
                daily(
                    kind=ScopeKind.PLATFORM,
                    scope="",
                    end=whole,
                    filters=Filters(verbs=("search.run",)),
                ),
                AggregatePath.RAW,
            ),
            (daily(end=whole, filters=Filters(verbs=("search.run",))), AggregatePath.RAW),
        ]
        for query, path in cases:
            chosen = replace(query, path=AggregatePath.CHOSEN)
            assert await store.aggregate_path(chosen) is path
            answer = await store.aggregate(chosen)
            assert answer == await store.aggregate(replace(query, path=AggregatePath.RAW))
            assert answer == await store.aggregate(replace(query, path=AggregatePath.ROLLUPS))
            assert answer.total > 0
    finally:
        await store.close()
