"""Recording activities: each id once, however often it comes; the schema applied once."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

from ms_activity.domain.filters import Filters
from ms_activity.domain.scope import ScopeKind
from ms_activity.store import ClickHouseActivityStore, TimelineQuery

from .making import T0, activity, daily, random_activities


def _page(limit: int = 100) -> TimelineQuery:
    return TimelineQuery(ScopeKind.SPACE, "spaces/s1", T0, None, Filters(), None, limit)


async def test_an_activity_recorded_again_is_not_recorded_twice(
    activity_store: ClickHouseActivityStore,
) -> None:
    first = [activity(n, at=T0 + timedelta(minutes=n)) for n in range(5)]

    assert await activity_store.record(first) == {f"a{n}" for n in range(5)}
    # A retried batch, and a batch holding one id twice with one new activity.
    assert await activity_store.record(first) == set()
    again = [first[0], activity(9, at=T0), activity(9, at=T0)]
    assert await activity_store.record(again) == {"a9"}

    shown = await activity_store.timeline(_page())
    assert sorted(a.id for a in shown) == ["a0", "a1", "a2", "a3", "a4", "a9"]
    counted = await activity_store.aggregate(daily())
    assert counted.total == 6


async def test_replayed_late_and_shuffled_events_give_the_clean_load_aggregates(
    activity_store: ClickHouseActivityStore,
) -> None:
    """A replay (every event again, some twice, out of order, the late ones last) counts each
    event once: the same buckets, distinct actors and top lists as a clean load."""
    events = random_activities(3_000)
    await activity_store.record(events)
    queries = [
        daily(top=5),
        daily(zone="America/New_York", top=5, kind=ScopeKind.PLATFORM, scope=""),
        daily(zone="Asia/Kolkata", kind=ScopeKind.ACTOR, scope="users/u3"),
    ]
    clean = [await activity_store.aggregate(q) for q in queries]

    rng = random.Random(3)
    replay = events + rng.sample(events, 500)
    rng.shuffle(replay)
    late = [e for e in replay if e.occur_time < T0 + timedelta(days=3)]
    on_time = [e for e in replay if e.occur_time >= T0 + timedelta(days=3)]
    for index in range(0, len(on_time), 400):
        assert await activity_store.record(on_time[index : index + 400]) == set()
    assert await activity_store.record(late) == set()

    assert [await activity_store.aggregate(q) for q in queries] == clean
    assert clean[0].total == sum(1 for e in events if e.space == "spaces/s1")


async def test_the_schema_is_applied_once_and_kept_across_restarts(
    activity_store: ClickHouseActivityStore, reopen: ClickHouseActivityStore
) -> None:
    await activity_store.record([activity(1, at=T0)])

    assert reopen.migrate() == []  # already applied by the first store
    assert [a.id for a in await reopen.timeline(_page())] == ["a1"]
    assert await reopen.record([replace(activity(1, at=T0), verb="search.run")]) == set()
    await reopen.close()
