"""Timelines: a user's, a space's and a resource's, newest first, filtered and paged."""

from __future__ import annotations

from datetime import timedelta

from ms_activity.domain.filters import Filters
from ms_activity.domain.scope import ScopeKind
from ms_activity.store import Activity, ClickHouseActivityStore, TimelineQuery

from .making import T0, activity, random_activities


def _query(
    kind: ScopeKind,
    scope: str,
    *,
    filters: Filters | None = None,
    after: Activity | None = None,
    limit: int = 1000,
) -> TimelineQuery:
    return TimelineQuery(
        kind,
        scope,
        T0,
        None,
        filters or Filters(),
        (after.occur_time, after.id) if after else None,
        limit,
    )


async def test_pages_walk_the_timeline_newest_first_without_gaps_or_repeats(
    activity_store: ClickHouseActivityStore,
) -> None:
    events = random_activities(700)
    # Several at the very same instant: the id orders them.
    events += [
        activity(1000 + n, at=T0 + timedelta(days=2), subject="spaces/s1/x/y") for n in range(30)
    ]
    await activity_store.record(events)

    seen: list[Activity] = []
    after: Activity | None = None
    while True:
        page = await activity_store.timeline(
            _query(ScopeKind.SPACE, "spaces/s1", after=after, limit=37)
        )
        seen += page
        if len(page) < 37:
            break
        after = page[-1]

    expected = sorted(
        (e for e in events if e.space == "spaces/s1"),
        key=lambda e: (e.occur_time, e.id),
        reverse=True,
    )
    assert [a.id for a in seen] == [e.id for e in expected]
    assert seen[0].record_time is not None
    assert seen[0].actor_display_name == expected[0].actor_display_name


async def test_a_users_a_spaces_and_a_resources_timelines(
    activity_store: ClickHouseActivityStore,
) -> None:
    await activity_store.record(
        [
            activity(1, at=T0, actor="users/ada", subject="spaces/s1/documents/d1"),
            activity(
                2,
                at=T0 + timedelta(minutes=1),
                actor="users/bob",
                subject="spaces/s1/documents/d1/versions/2",
            ),
            activity(
                3,
                at=T0 + timedelta(minutes=2),
                actor="users/ada",
                subject="spaces/s2/documents/d9",
                space="spaces/s2",
            ),
            activity(4, at=T0 + timedelta(minutes=3), actor="", subject="spaces/s1/documents/d2"),
        ]
    )

    async def ids(kind: ScopeKind, scope: str) -> list[str]:
        return [a.id for a in await activity_store.timeline(_query(kind, scope))]

    assert await ids(ScopeKind.ACTOR, "users/ada") == ["a3", "a1"]
    assert await ids(ScopeKind.SPACE, "spaces/s1") == ["a4", "a2", "a1"]
    # A document's history holds what happened to its versions.
    assert await ids(ScopeKind.SUBJECT, "spaces/s1/documents/d1") == ["a2", "a1"]
    assert await ids(ScopeKind.SUBJECT, "spaces/s1/documents/d1/versions/2") == ["a2"]
    assert await ids(ScopeKind.PLATFORM, "") == ["a4", "a3", "a2", "a1"]


async def test_filters_by_verb_actor_source_property_and_time(
    activity_store: ClickHouseActivityStore,
) -> None:
    await activity_store.record(
        [
            activity(1, at=T0, verb="search.run", properties={"mode": "hybrid"}),
            activity(
                2, at=T0 + timedelta(hours=1), verb="search.run", properties={"mode": "dense"}
            ),
            activity(
                3,
                at=T0 + timedelta(hours=2),
                actor="users/bob",
                source="ms_knowledge",
                verb="document.updated",
                event_type="knowledge.knowledge.v1.DocumentUpdated",
            ),
            activity(4, at=T0 + timedelta(hours=3), properties={"mode": ""}),
        ]
    )

    async def ids(
        filters: Filters, *, start_hours: int = 0, end_hours: int | None = None
    ) -> list[str]:
        query = _query(ScopeKind.SPACE, "spaces/s1", filters=filters)
        query = TimelineQuery(
            query.scope_kind,
            query.scope,
            T0 + timedelta(hours=start_hours),
            T0 + timedelta(hours=end_hours) if end_hours is not None else None,
            query.filters,
            None,
            query.limit,
        )
        return [a.id for a in await activity_store.timeline(query)]

    assert await ids(Filters(verbs=("search.run",))) == ["a2", "a1"]
    assert await ids(Filters(actors=("users/bob",))) == ["a3"]
    assert await ids(Filters(sources=("ms_knowledge",))) == ["a3"]
    assert await ids(Filters(event_types=("knowledge.knowledge.v1.DocumentUpdated",))) == ["a3"]
    assert await ids(Filters(properties={"mode": "dense"})) == ["a2"]
    assert await ids(Filters(properties={"mode": ""})) == ["a4"]
    assert await ids(Filters(verbs=("search.run",), properties={"mode": "nope"})) == []
    assert await ids(Filters(), start_hours=1, end_hours=3) == ["a3", "a2"]
