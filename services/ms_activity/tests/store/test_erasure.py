"""Erasure: a user's activities leave every timeline and every aggregate, and stay gone."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from ms_activity.domain.filters import Filters
from ms_activity.domain.scope import ScopeKind
from ms_activity.store import AggregatePath, ClickHouseActivityStore, TimelineQuery

from .making import T0, activity, daily


async def test_an_erased_user_is_gone_from_timelines_and_aggregates(
    activity_store: ClickHouseActivityStore,
) -> None:
    everything = [
        activity(1, at=T0, actor="users/ada"),
        activity(2, at=T0 + timedelta(days=40), actor="users/ada"),  # another month
        activity(3, at=T0 + timedelta(hours=1), actor="users/bob"),
        # About Ada's own resources, done by someone else.
        activity(
            4,
            at=T0 + timedelta(hours=2),
            actor="users/bob",
            subject="users/ada/conversations/c1",
            space="",
        ),
    ]
    await activity_store.record(everything)

    assert await activity_store.erase("users/ada") == 3

    space = await activity_store.timeline(
        TimelineQuery(ScopeKind.SPACE, "spaces/s1", T0, None, Filters(), None, 100)
    )
    assert [a.id for a in space] == ["a3"]
    ada = await activity_store.timeline(
        TimelineQuery(ScopeKind.ACTOR, "users/ada", T0, None, Filters(), None, 100)
    )
    assert ada == []
    for from_raw in (False, True):
        platform = await activity_store.aggregate(
            daily(kind=ScopeKind.PLATFORM, scope="", top=5, from_raw=from_raw)
        )
        assert (platform.total, platform.distinct_actors) == (1, 1)
        assert [c.key for c in platform.top_actors] == ["users/bob"]
    # A replay of the erased events does not bring them back.
    assert await activity_store.record(everything) == set()
    assert await activity_store.erase("users/ada") == 0


async def test_activities_recorded_after_the_erasure_began_are_kept(
    activity_store: ClickHouseActivityStore,
) -> None:
    await activity_store.record([activity(1, at=T0)])
    await activity_store.erase("users/ada", until=T0 - timedelta(days=1000))
    assert (await activity_store.aggregate(daily())).total == 1


async def test_an_erased_users_activities_leave_the_platforms_days_of_the_month_before(
    activity_store: ClickHouseActivityStore,
) -> None:
    """00:30 UTC on 1 March is still 28 February in New York: that local day's row of the
    platform's day rollup starts in February and is rebuilt with March's activities."""
    await activity_store.record(
        [
            activity(1, at=T0 + timedelta(minutes=30), actor="users/ada"),
            activity(2, at=T0 + timedelta(minutes=40), actor="users/bob"),
            activity(3, at=T0 - timedelta(hours=2), actor="users/bob"),
        ]
    )
    query = daily(
        kind=ScopeKind.PLATFORM,
        scope="",
        start=T0 - timedelta(days=3),
        end=T0 + timedelta(days=3),
        zone="America/New_York",
    )
    before = await activity_store.aggregate(query)
    assert (before.total, before.distinct_actors) == (3, 2)

    assert await activity_store.erase("users/ada") == 1

    for path in AggregatePath:
        after = await activity_store.aggregate(replace(query, path=path))
        assert (after.total, after.distinct_actors) == (2, 1)
        assert [(b.total, b.distinct_actors) for b in after.buckets if b.total] == [(2, 1)]
