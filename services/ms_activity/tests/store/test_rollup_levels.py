"""The two rollup levels: hourly slots for zones whose offset is whole hours, 15-minute slots
for the others (+05:30, +05:45), the platform's hours from its hourly rollup and the hours a
bucket bound cuts from its 15-minute one; all count what the activities count, also after an
upgrade that fills a rollup from activities recorded before it existed."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from ms_activity.domain.buckets import Interval
from ms_activity.domain.scope import ScopeKind
from ms_activity.store import AggregatePath, ChdbSql, ClickHouseActivityStore

from .making import T0, activity, daily, random_activities

_ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu")


async def _same_as_raw(store: ClickHouseActivityStore) -> None:
    start, end = T0 + timedelta(minutes=50), T0 + timedelta(days=40, minutes=20)
    for zone in _ZONES:
        for kind, scope in [(ScopeKind.SPACE, "spaces/s1"), (ScopeKind.PLATFORM, "")]:
            for interval in (Interval.HOUR, Interval.DAY):
                query = daily(
                    kind=kind, scope=scope, start=start, end=end, interval=interval, zone=zone
                )
                rolled = await store.aggregate(query)
                assert rolled == await store.aggregate(replace(query, path=AggregatePath.RAW)), zone
                assert rolled.total > 0


async def test_whole_hour_and_half_hour_zones_count_what_the_activities_count(
    activity_store: ClickHouseActivityStore,
) -> None:
    """00:20 and 00:40 UTC are one hour in Berlin (01:00-02:00) but 05:50 and 06:10 in Kolkata:
    two local hours there."""
    await activity_store.record(
        [
            activity(1, at=T0 + timedelta(minutes=20)),
            activity(2, at=T0 + timedelta(minutes=40), actor="users/u2"),
        ]
    )
    hours = {}
    for zone in ("Europe/Berlin", "Asia/Kolkata"):
        query = daily(end=T0 + timedelta(hours=2), interval=Interval.HOUR, zone=zone)
        rolled = await activity_store.aggregate(query)
        assert rolled == await activity_store.aggregate(replace(query, path=AggregatePath.RAW))
        hours[zone] = [
            (b.start.astimezone(T0.tzinfo).strftime("%H:%M"), b.total)
            for b in rolled.buckets
            if b.total
        ]
    assert hours["Europe/Berlin"] == [("00:00", 2)]
    assert hours["Asia/Kolkata"] == [("23:30", 1), ("00:30", 1)]

    await activity_store.record(random_activities(2_000))
    await _same_as_raw(activity_store)


_PLATFORM_DAYS = "activity_rollup_platform_day"


@pytest.mark.parametrize(
    ("versions", "tables"),
    [
        ([2], ["activity_rollup_hour"]),
        ([3, 4], [_PLATFORM_DAYS, "activity_rollup_platform_hour", "activity_rollup_platform"]),
        ([4], [_PLATFORM_DAYS]),
    ],
)
async def test_upgrading_fills_a_new_rollup_from_the_activities(
    activity_store: ClickHouseActivityStore,
    chdb_path: Path,
    database: str,
    versions: list[int],
    tables: list[str],
) -> None:
    """A database whose activities were recorded before a rollup existed (the hourly one, the
    platform's own, its days): applying those migrations computes them, so every zone counts
    every activity."""
    await activity_store.record(random_activities(2_000))
    older = ChdbSql(str(chdb_path))
    for table in tables:
        older.execute(f"DROP VIEW `{database}`.{table}_mv")
        older.execute(f"DROP TABLE `{database}`.{table}")
        older.execute(f"DROP TABLE `{database}`.{table}_rebuild")
    older.execute(f"DELETE FROM `{database}`.schema_migrations WHERE has({versions}, version)")
    older.close()

    upgrading = ClickHouseActivityStore(ChdbSql(str(chdb_path)), database)
    assert upgrading.migrate() == versions
    await upgrading.close()
    await _same_as_raw(activity_store)
    # Recorded after the upgrade: counted by the new rollups as they come.
    later = random_activities(500, seed=8)
    assert len(await activity_store.record([replace(a, id=f"later-{a.id}") for a in later])) == 500
    await _same_as_raw(activity_store)
