"""Recording activities: each id once, however often it comes; the schema applied once."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

from ms_activity.domain.filters import Filters
from ms_activity.domain.scope import ScopeKind
from ms_activity.store import ChdbSql, ClickHouseActivityStore, TimelineQuery
from ms_activity.store.sql import ch_time

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


async def test_two_writers_racing_on_one_id_still_show_it_once(
    activity_store: ClickHouseActivityStore, chdb_path: Path, database: str
) -> None:
    """Two instances that both found an id new both insert it: timelines and raw aggregates
    still show it once, and the rollups once they are rebuilt."""
    raced = [activity(n, at=T0 + timedelta(minutes=n % 3)) for n in range(6)]
    await activity_store.record(raced)
    other_writer = ChdbSql(str(chdb_path))
    other_writer.insert(
        f"`{database}`.activity_events",
        [
            {
                "id": a.id,
                "occur_time": ch_time(a.occur_time),
                "record_time": ch_time(a.occur_time),
                "actor": a.actor,
                "verb": a.verb,
                "subject": a.subject,
                "space": a.space,
                "source": a.source,
                "timelines": ["space:spaces/s1"],
            }
            for a in raced
        ],
    )
    other_writer.close()

    pages = [await activity_store.timeline(_page(limit)) for limit in (1, 2, 4, 6, 50)]
    assert [[a.id for a in page] for page in pages][-1] == ["a5", "a2", "a4", "a1", "a3", "a0"]
    assert all(
        len(page) == min(limit, 6) for page, limit in zip(pages, (1, 2, 4, 6, 50), strict=True)
    )
    assert (await activity_store.aggregate(daily(from_raw=True))).total == 6
    await activity_store.rebuild_rollups()
    assert (await activity_store.aggregate(daily())).total == 6
