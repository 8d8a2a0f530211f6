"""Activities for the store's tests."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from ms_activity.domain.buckets import Dimension, Interval
from ms_activity.domain.filters import Filters
from ms_activity.domain.scope import ScopeKind
from ms_activity.store import Activity, AggregatePath, AggregateQuery

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def activity(
    number: int,
    *,
    at: datetime,
    actor: str = "users/ada",
    verb: str = "document.viewed",
    subject: str = "spaces/s1/documents/d1",
    space: str = "spaces/s1",
    source: str = "web",
    event_type: str = "",
    properties: dict[str, str] | None = None,
) -> Activity:
    return Activity(
        id=f"a{number}",
        verb=verb,
        actor=actor,
        actor_display_name=actor.removeprefix("users/").title(),
        subject=subject,
        space=space,
        source=source,
        event_type=event_type,
        occur_time=at,
        properties=properties or {},
    )


def random_activities(count: int, *, seed: int = 7, days: int = 40) -> list[Activity]:
    """A month and more of mixed activities: several actors, spaces, verbs, sources."""
    rng = random.Random(seed)
    verbs = ["document.viewed", "search.run", "canvas.opened", "document.updated"]
    return [
        activity(
            number,
            at=T0
            + timedelta(seconds=rng.randrange(days * 86_400), milliseconds=rng.randrange(1000)),
            actor=f"users/u{rng.randrange(25)}",
            verb=rng.choice(verbs),
            subject=f"spaces/s{number % 3}/documents/d{rng.randrange(12)}",
            space=f"spaces/s{number % 3}",
            source=rng.choice(["web", "ms_knowledge"]),
        )
        for number in range(count)
    ]


def daily(
    *,
    kind: ScopeKind = ScopeKind.SPACE,
    scope: str = "spaces/s1",
    start: datetime = T0,
    end: datetime | None = None,
    interval: Interval = Interval.DAY,
    zone: str = "UTC",
    filters: Filters | None = None,
    breakdown: Dimension = Dimension.NONE,
    top: int = 0,
    from_raw: bool = False,
) -> AggregateQuery:
    return AggregateQuery(
        scope_kind=kind,
        scope=scope,
        start=start,
        end=end or start + timedelta(days=45),
        interval=interval,
        time_zone=zone,
        filters=filters or Filters(),
        breakdown=breakdown,
        breakdown_limit=3,
        top_count=top,
        # The rollups wherever they answer, so the tests compare them with the activities.
        path=AggregatePath.RAW if from_raw else AggregatePath.ROLLUPS,
    )
