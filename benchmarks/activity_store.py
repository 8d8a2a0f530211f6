"""ms_activity's ClickHouse store at scale: timeline pages, and a 90-day daily aggregate with
distinct actors answered from the 15-minute rollups against the same query over the raw
activities, side by side; then a replay-exactness check.

    .venv/bin/python benchmarks/activity_store.py [--events 10000000] [--load-seconds 300] [--keep DIR]

ClickHouse runs in process (chdb), the engine the service runs locally; a server would run the
same SQL. The bulk load writes generated activities into `activity_events` with one
`INSERT ... SELECT FROM numbers()` per million (the materialized views fill the timelines,
rollups and ids as they do for `record`); it stops at --load-seconds, and the figures say how
many were loaded. Activities: 120 days, 5,000 users (a few very active), 200 spaces (skewed),
50 documents per space, 6 verbs, 3 sources.

Timed (each query --repeats times, p50/p95 in ms): a space's, a user's and a document's first
timeline page of 50, and a page deep into the space's timeline (keyset cursor); the daily
aggregate of a space over 90 days in Europe/Amsterdam with distinct actors per day and over the
range, from the rollups and from the raw activities (ratio raw/rollups); the same for the whole
platform. Goals (issue 19): page p95 <= 50 ms, rollup aggregate p95 <= 100 ms.

Exactness: 100,000 activities recorded through `record` into one database, and into another a
replay of them: shuffled, a fifth twice, the activities of the first ten days last (late); the
daily aggregates in Europe/Amsterdam and America/New_York (each across a daylight-saving change),
from rollups and from raw, must be equal.

Measured on 2 shared cores (other work running), 10M activities (loaded in 149 s, 67k/s; parts
then merged, 63 s), 20 repeats: timeline first page p95 14 ms (space), 14 ms (user), 12 ms
(document), deep page 11 ms: the 50 ms goal is met. Just after loading, unmerged (40 parts of the
timeline table), the same pages took p95 84-120 ms. 90-day daily aggregate with distinct actors,
p95 rollups / raw: a random space 50 / 19 ms, the busiest space (7% of all) 161 / 95 ms, the
platform 712 / 942 ms (ratio raw/rollups 0.4x, 0.6x, 1.3x); answers equal. So the 15-minute
rollups with exact actor sets do not beat the activities for a space (a space's 90 days are
~8,600 slot rows whose actor sets must be merged, against a key-range read of its activities) and
only modestly for the platform; the 100 ms goal is met for typical spaces by either path, not for
the busiest space or the platform. What would: coarser slots where the zone allows (hourly for
whole-hour offsets: 4x fewer states), or mergeable sketches (uniqCombined) instead of exact sets.
An earlier rollup per verb, event type and source for every timeline had 27.6M rows at 10M
activities and was slower still. Hourly rollups (used when the zone's offset is whole hours) then
came, measured at 3M activities (2 shared cores, 15 repeats): 562k hourly rows against 1.5M
15-minute ones; p95 rollups / raw: a random space 47 / 15 ms, the busiest 67 / 37 ms, the platform
192 / 275 ms (1.4x): the platform gains, a space still reads its activities faster. Replay: clean = replay and rollups = raw in Europe/Amsterdam and
America/New_York (each with its 23-hour day) for 100k activities; `record` takes 29k/s.

So the store chooses (`AggregatePath.CHOSEN`, what the service asks): the rollups only when the
range holds more than 500,000 activities, estimated from the hourly rollup's counts. Timed here
beside both forced paths; at 3M activities (2 shared cores, 15 repeats), p95 rollups / raw /
chosen: a random space 67 / 19 / 28 ms (raw chosen), the busiest space 124 / 75 / 90 ms (raw),
the platform 174 / 314 / 127 ms (rollups); the same answers on all three paths. The estimate is
one more query (~5 ms on chdb in process), the price of never taking the 2-4x slower path.

The platform then got rollups of its own (migration 3: per hour and per 15 minutes, actors as
64-bit hashes, a bucket's slots merged once and the range's actors from the buckets) and a day
rollup (migration 4: from every hour its next 24 and 23 hours, so a local day is one actor set).
At 10M activities (2 shared cores, load average 10-25 from other work while it ran, 20 repeats),
p95 rollups / raw / chosen: the platform in Europe/Amsterdam 76 / 823 / 88 ms (10.8x), in
Asia/Kolkata (+05:30) 90 / 814 / 98 ms (9.1x), against 217 ms (Amsterdam) and 383 ms (Kolkata)
from the hourly platform rollup alone; a random space 65 / 26 / 32 ms (raw chosen), the busiest
space 231 / 84 / 302 ms (rollups chosen: its range holds more than 500,000 activities); timeline
pages p95 11-15 ms; the same answers on every path, replay exact. Migrations 3 and 4 applied to
the 10M activities in 5 s each. Two later runs (load average 2-8; 20 and 40 repeats): the
platform in Amsterdam p50 / p95 rollups 69 / 92 and 76 / 102 ms, chosen 84 / 125 and 108 / 142 ms;
in Kolkata chosen 97 / 110 and 91 / 110 ms; raw p50 750-1,400 ms. A p95 of 20-40 samples on
shared cores swings by a third between runs; p50 stays at 70-110 ms. `--keep DIR` reuses the
loaded activities (the 10M load took 30 minutes under other work).

Then the store stopped estimating for the platform (its rollups win from an hour's worth on: the
estimate was only a query more) and reads a space's rollups only above 1M activities in its
range: the busiest space's ~530k, raw / rollups p95 84 / 231 ms in the run above, had gone to
its rollups, and the platform's 7.5M read as a space's (through the hourly rollup, actor strings)
take p50 369 ms against 1,908 ms raw, so a space's crossing lies between ~0.5M and ~2.4M. At 10M
(2 shared cores, load average 2-7 from other work, 20 repeats), p50 / p95 rollups / raw / chosen:
a random space 61 / 259, 35 / 109, 41 / 111 ms (raw chosen), the busiest space 254 / 440,
215 / 394, 211 / 311 ms (raw), the platform 113 / 187, 2,620 / 3,915, 112 / 122 ms (rollups), in
Asia/Kolkata 145 / 152, 2,226 / 2,379, 146 / 158 ms; chosen/best p95 0.66-1.04x; timeline pages
p95 35-74 ms (a busier machine than the runs above); the same answers on every path, replay exact.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from ms_activity.domain.buckets import Dimension, Interval
from ms_activity.domain.filters import Filters
from ms_activity.domain.scope import ScopeKind
from ms_activity.store import (
    Activity,
    AggregatePath,
    AggregateQuery,
    ChdbSql,
    ClickHouseActivityStore,
    TimelineQuery,
)
from ms_activity.store.schema import ROLLUPS

START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 120
CHUNK = 1_000_000

# One generated activity per number: skewed actors and spaces, a document of its space.
_GENERATED = """
INSERT INTO `{db}`.activity_events
SELECT
    concat('e', toString(number)) AS id,
    toDateTime64('{start}', 3, 'UTC')
        + toIntervalMillisecond(cityHash64(number, 1) % ({days} * 86400000)) AS occur_time,
    occur_time AS record_time,
    concat('users/u', toString(toUInt32(pow((cityHash64(number, 2) % 1000000) / 1000000, 3) * 5000)))
        AS actor,
    'User' AS actor_display_name,
    ['document.viewed', 'document.viewed', 'search.run', 'canvas.opened', 'document.updated',
     'document.created'][1 + cityHash64(number, 3) % 6] AS verb,
    if(verb IN ('document.updated', 'document.created'),
       concat('knowledge.knowledge.v1.', if(verb = 'document.updated', 'DocumentUpdated',
              'DocumentCreated')), '') AS event_type,
    concat('spaces/s', toString(toUInt32(pow((cityHash64(number, 4) % 1000000) / 1000000, 2) * 200)))
        AS space,
    concat(space, '/documents/d', toString(cityHash64(number, 5) % 50)) AS subject,
    if(event_type = '', 'web', 'ms_knowledge') AS source,
    '' AS summary,
    map('n', toString(number % 7)) AS properties,
    [concat('actor:', actor), concat('space:', space), concat('subject:', subject)] AS timelines
FROM numbers({first}, {count})
"""


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[max(0, int(len(ordered) * 0.95) - 1)]


async def timed(label: str, run: Callable[[], Awaitable[Any]], repeats: int) -> tuple[float, float]:
    await run()  # warm
    samples = []
    for _ in range(repeats):
        began = time.perf_counter()
        await run()
        samples.append((time.perf_counter() - began) * 1000)
    p50, p95 = percentiles(samples)
    print(f"  {label:<58} p50 {p50:8.1f} ms   p95 {p95:8.1f} ms")
    return p50, p95


def load(
    store: ClickHouseActivityStore, sql: ChdbSql, db: str, events: int, budget: float, loaded: int
) -> int:
    """Generates activities number `loaded` on, up to `events` (or the budget); how many there are."""
    began = time.perf_counter()
    first = loaded
    while loaded < events and time.perf_counter() - began < budget:
        count = min(CHUNK, events - loaded)
        sql.execute(
            _GENERATED.format(
                db=db,
                start=START.strftime("%Y-%m-%d %H:%M:%S"),
                days=DAYS,
                first=loaded,
                count=count,
            )
        )
        loaded += count
        elapsed = time.perf_counter() - began
        rate = (loaded - first) / elapsed
        print(f"  loaded {loaded:>11,} in {elapsed:6.1f} s ({rate:,.0f}/s)", flush=True)
    return loaded


def aggregate_query(
    kind: ScopeKind, scope: str, *, path: AggregatePath, zone: str = "Europe/Amsterdam"
) -> AggregateQuery:
    end = START + timedelta(days=DAYS - 5)
    return AggregateQuery(
        scope_kind=kind,
        scope=scope,
        start=end - timedelta(days=90),
        end=end,
        interval=Interval.DAY,
        time_zone=zone,
        filters=Filters(),
        path=path,
    )


async def scale(path: str, events: int, budget: float, repeats: int, settle: bool) -> None:
    sql = ChdbSql(path)
    store = ClickHouseActivityStore(sql, "bench_scale", retention_days=3650)
    began = time.perf_counter()
    applied = store.migrate()
    if applied:
        print(f"  migrations {applied} applied in {time.perf_counter() - began:.1f} s")
    kept = int(sql.rows("SELECT count() AS n FROM bench_scale.activity_events")[0]["n"])
    if kept >= events:
        print(f"reusing the {kept:,} activities loaded before")
    elif kept:
        print(f"{kept:,} activities loaded before; loading on up to {events:,}")
    else:
        print(f"loading up to {events:,} activities (budget {budget:.0f} s)")
    loaded = load(store, sql, "bench_scale", events, budget, kept)
    # Merged when loaded (a rollup a migration fills is written a part per month).
    settle = settle and loaded > kept
    parts = sql.rows(
        "SELECT table, count() AS parts FROM system.parts"
        " WHERE database = 'bench_scale' AND active GROUP BY table ORDER BY table"
    )
    print("  parts just after loading: " + ", ".join(f"{p['table']} {p['parts']}" for p in parts))
    if settle:
        began = time.perf_counter()
        for table in ("activity_events", "activity_timeline", *ROLLUPS, "activity_ids"):
            sql.execute(f"OPTIMIZE TABLE bench_scale.{table} FINAL")
        print(
            f"  merged every table's parts (as background merges would) in"
            f" {time.perf_counter() - began:.0f} s"
        )
    sizes = sql.rows(
        "SELECT table, sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts"
        " WHERE database = 'bench_scale' AND active GROUP BY table ORDER BY table"
    )
    for row in sizes:
        print(
            f"  {row['table']:<22} {int(row['rows']):>12,} rows {int(row['bytes']) / 1e6:9.1f} MB"
        )
    print(f"\ntimelines ({loaded:,} activities), pages of 50")
    rng = random.Random(1)

    def page(kind: ScopeKind, scope: Callable[[], str], after: tuple[datetime, str] | None = None):
        async def run() -> Any:
            return await store.timeline(
                TimelineQuery(kind, scope(), START, None, Filters(), after, 50)
            )

        return run

    busy_space = "spaces/s0"
    results: dict[str, tuple[float, float]] = {}
    results["space"] = await timed(
        "space timeline, first page (random of 200 spaces)",
        page(ScopeKind.SPACE, lambda: f"spaces/s{rng.randrange(200)}"),
        repeats,
    )
    results["user"] = await timed(
        "user timeline, first page (random of 5,000 users)",
        page(ScopeKind.ACTOR, lambda: f"users/u{rng.randrange(5000)}"),
        repeats,
    )
    results["document"] = await timed(
        "document history, first page",
        page(
            ScopeKind.SUBJECT,
            lambda: f"spaces/s{rng.randrange(200)}/documents/d{rng.randrange(50)}",
        ),
        repeats,
    )
    middle = START + timedelta(days=DAYS // 2)
    results["deep"] = await timed(
        f"{busy_space} (busiest) page at day {DAYS // 2} (keyset cursor)",
        page(ScopeKind.SPACE, lambda: busy_space, (middle, "e")),
        repeats,
    )
    busy = await store.timeline(
        TimelineQuery(ScopeKind.SPACE, busy_space, START, None, Filters(), None, 1)
    )
    assert busy, "the busiest space has activities"

    print("\n90-day daily aggregate with distinct actors (per day and range)")
    ratios = []
    amsterdam, kolkata = "Europe/Amsterdam", "Asia/Kolkata"
    for label, kind, scope, zone in (
        ("space (random)", ScopeKind.SPACE, None, amsterdam),
        (f"{busy_space} (busiest)", ScopeKind.SPACE, busy_space, amsterdam),
        ("whole platform", ScopeKind.PLATFORM, "", amsterdam),
        ("whole platform +05:30", ScopeKind.PLATFORM, "", kolkata),
    ):

        def query(
            path: AggregatePath,
            kind: ScopeKind = kind,
            scope: str | None = scope,
            zone: str = zone,
        ) -> Callable[[], Awaitable[Any]]:
            async def run() -> Any:
                name = scope if scope is not None else f"spaces/s{rng.randrange(200)}"
                return await store.aggregate(aggregate_query(kind, name, path=path, zone=zone))

            return run

        rolled = await timed(f"{label}: rollups", query(AggregatePath.ROLLUPS), repeats)
        raw = await timed(f"{label}: raw activities", query(AggregatePath.RAW), repeats)
        chosen = await timed(f"{label}: chosen by the store", query(AggregatePath.CHOSEN), repeats)
        check_kind, check_scope = kind, scope if scope is not None else "spaces/s7"
        answers = [
            await store.aggregate(aggregate_query(check_kind, check_scope, path=path, zone=zone))
            for path in AggregatePath
        ]
        same = all(answer == answers[0] for answer in answers)
        took = await store.aggregate_path(
            aggregate_query(check_kind, check_scope, path=AggregatePath.CHOSEN, zone=zone)
        )
        ratios.append((label, raw[1] / rolled[1], chosen[1] / min(raw[1], rolled[1]), same))
        print(
            f"  {label}: raw/rollups p95 ratio {raw[1] / rolled[1]:.1f}x; the store chose"
            f" {took.value} ({check_scope or 'platform'}), chosen/best p95"
            f" {chosen[1] / min(raw[1], rolled[1]):.2f}x; same answer on every path: {same}"
        )
    await store.close()
    print("\nsummary")
    print(f"  activities loaded: {loaded:,}")
    for name, (_p50, p95) in results.items():
        print(f"  timeline {name:<9} p95 {p95:7.1f} ms (goal 50)")
    for label, ratio, chosen, same in ratios:
        print(
            f"  aggregate {label:<22} raw/rollup p95 {ratio:5.1f}x, chosen/best {chosen:4.2f}x"
            f" same={same}"
        )


async def exactness(path: str, count: int) -> bool:
    rng = random.Random(5)
    # 60 days across the spring change in Europe and the United States.
    first = datetime(2026, 2, 20, tzinfo=UTC)
    events = [
        Activity(
            id=f"x{number}",
            verb=rng.choice(["document.viewed", "search.run", "canvas.opened"]),
            actor=f"users/u{int(rng.random() ** 2 * 500)}",
            actor_display_name="User",
            subject=f"spaces/s{number % 10}/documents/d{rng.randrange(40)}",
            space=f"spaces/s{number % 10}",
            source="web",
            event_type="",
            occur_time=first + timedelta(milliseconds=rng.randrange(60 * 86_400_000)),
        )
        for number in range(count)
    ]
    earlier = ChdbSql(path)
    for database in ("bench_clean", "bench_replay"):  # from an earlier run into --keep
        earlier.execute(f"DROP DATABASE IF EXISTS {database}")
    earlier.close()
    clean = ClickHouseActivityStore(ChdbSql(path), "bench_clean")
    replayed = ClickHouseActivityStore(ChdbSql(path), "bench_replay")
    clean.migrate()
    replayed.migrate()
    began = time.perf_counter()
    for index in range(0, len(events), 5_000):
        await clean.record(events[index : index + 5_000])
    clean_seconds = time.perf_counter() - began
    replay = events + rng.sample(events, count // 5)
    rng.shuffle(replay)
    late_before = first + timedelta(days=10)
    ordered = [e for e in replay if e.occur_time >= late_before] + [
        e for e in replay if e.occur_time < late_before
    ]
    began = time.perf_counter()
    for index in range(0, len(ordered), 5_000):
        await replayed.record(ordered[index : index + 5_000])
    replay_seconds = time.perf_counter() - began
    print(
        f"\nexactness: {count:,} recorded in {clean_seconds:.1f} s ({count / clean_seconds:,.0f}/s"
        f" through record); replay of {len(ordered):,} (a fifth twice, shuffled, first 10 days"
        f" late) in {replay_seconds:.1f} s"
    )
    equal = True
    for zone in ("Europe/Amsterdam", "America/New_York"):
        for kind, scope in ((ScopeKind.PLATFORM, ""), (ScopeKind.SPACE, "spaces/s3")):
            query = AggregateQuery(
                scope_kind=kind,
                scope=scope,
                start=first,
                end=first + timedelta(days=60),
                interval=Interval.DAY,
                time_zone=zone,
                filters=Filters(),
                breakdown=Dimension.VERB,
                top_count=10,
            )
            answers = [
                await store.aggregate(replace(query, path=path))
                for store in (clean, replayed)
                for path in (AggregatePath.ROLLUPS, AggregatePath.RAW)
            ]
            same = all(answer == answers[0] for answer in answers)
            equal = equal and same
            lengths = sorted({b.end - b.start for b in answers[0].buckets})
            print(
                f"  {zone:<17} {kind.value:<8} total {answers[0].total:>7,}"
                f" distinct {answers[0].distinct_actors:>4}: clean = replay, rollups = raw: {same};"
                f" day lengths {[str(length) for length in lengths]}"
            )
    await clean.close()
    await replayed.close()
    return equal


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--load-seconds", type=float, default=300.0)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--replay", type=int, default=100_000)
    parser.add_argument(
        "--keep",
        metavar="DIR",
        help="chdb's files here, kept: a later run with as many --events reuses the activities"
        " (applying any new migration to them) instead of loading them again",
    )
    parser.add_argument(
        "--no-settle", action="store_true", help="query the parts as loaded, without merging them"
    )
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="activity-bench-") as temporary:
        path = arguments.keep or temporary
        await scale(
            path,
            arguments.events,
            arguments.load_seconds,
            arguments.repeats,
            not arguments.no_settle,
        )
        exact = await exactness(path, arguments.replay)
    print(f"\nreplay exact: {exact}")


if __name__ == "__main__":
    asyncio.run(main())
