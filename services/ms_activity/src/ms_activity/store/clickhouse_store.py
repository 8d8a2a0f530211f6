"""The activity store on ClickHouse: one class, the same SQL on chdb and on a server.

Writes: `record` reads which ids are already recorded and inserts only the others (materialized
views then fill the timelines, the rollups and the ids), under a lock so one store never races
itself; an activity is recorded once however often it is delivered. Reads: a timeline page is a
range read of its timeline, newest first, after a keyset cursor; a space's aggregate reads the
hourly rollups when every bucket bound is a whole UTC hour (the zone's offset is whole hours over
the range), else the 15-minute ones, and the platform's its own rollups: a local day's 24 or 23
whole hours from the day rollup, the other hours no bucket bound cuts from the hourly one and the
rest from the 15-minute one, its buckets' actor sets merged once and the range's from them (the
edges of a range that cut a slot from the activities themselves); unless a filter or breakdown needs the activities (actors, properties, breakdown by
actor, space or object). Left to choose, the store reads the platform's rollups without asking
how much its range holds (they beat its activities from an hour's worth on, and an estimate
would be one more query), and a space's activities unless its range holds more than
`space_raw_up_to` (estimated from the hourly rollup's counts alone): a space's rollup row keeps
its hour's actors as strings, merged whatever the hour holds, while reading its activities costs
what they hold. The top objects and actors come from the activities. Erasure deletes the user's activities (lightweight
DELETE) and rebuilds every rollup's months they were in, so they leave every aggregate.

ClickHouse is called in a worker thread: its calls block.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from ..domain.buckets import Dimension, Interval
from ..domain.scope import ScopeKind
from .buckets import bucket_bounds, bucket_index
from .model import (
    Activity,
    Aggregate,
    AggregatePath,
    AggregateQuery,
    Bucket,
    Count,
    TimelineQuery,
)
from .queries import (
    DIMENSION_COLUMN,
    KIND,
    Conditions,
    bucket_start,
    filter_conditions,
    needs_rows,
)
from .schema import BOOKKEEPING, MIGRATIONS, ROLLUPS
from .sql import ClickHouse, Row, ch_time, checked_identifier, parse_time
from .timelines import PLATFORM, timeline_key, timelines_of

# Up to this many activities in a space's range, reading them beats merging its hourly rollup's
# actor sets (benchmarks/activity_store.py at 10M activities, 90 days, raw / rollups: the busiest
# space, ~530k activities, p95 84 / 231 ms in one run, p50 237 / 229 ms in another; the
# platform's 7.5M read as a space's, through its hourly rollup, p50 1,908 / 369 ms). Raw grows about linearly with the
# activities, the rollups as their hours' actor sets do: the two cross between ~0.5M and ~2.4M.
SPACE_RAW_UP_TO = 1_000_000
_SLOT = timedelta(minutes=15)
_HOUR = timedelta(hours=1)
_ID_CHUNK = 20_000
_INSERT_CHUNK = 50_000
_ACTIVITY_COLUMNS = (
    "id, toString(occur_time) AS occur_text, toString(record_time) AS record_text, actor,"
    " actor_display_name, verb, event_type, subject, space, source, summary, properties"
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class ClickHouseActivityStore:
    """Activities in database `database` of the ClickHouse `sql` reaches (which it closes)."""

    def __init__(
        self,
        sql: ClickHouse,
        database: str,
        *,
        retention_days: int = 400,
        clock: Callable[[], datetime] = _utc_now,
        space_raw_up_to: int = SPACE_RAW_UP_TO,
    ) -> None:
        self._sql = sql
        self._db = checked_identifier(database)
        self._retention_days = retention_days
        self._clock = clock
        self._space_raw_up_to = space_raw_up_to
        self._write_lock = threading.Lock()

    # Schema

    def migrate(self) -> list[int]:
        """Applies the migrations not yet applied, in order; the versions applied now."""
        for statement in BOOKKEEPING:
            self._sql.execute(statement.format(db=self._db))
        applied = {
            int(row["version"])
            for row in self._sql.rows(f"SELECT version FROM `{self._db}`.schema_migrations")
        }
        done: list[int] = []
        for migration in MIGRATIONS:
            if migration.version in applied:
                continue
            for statement in migration.statements:
                self._sql.execute(statement.format(db=self._db, retention=self._retention_days))
            if migration.rebuilds:
                # Replaces whole partitions: applying it twice (two instances) counts nothing twice.
                with self._write_lock:
                    self._rebuild(self._months(), migration.rebuilds)
            self._sql.insert(
                f"`{self._db}`.schema_migrations",
                [{"version": migration.version, "description": migration.description}],
            )
            done.append(migration.version)
        return done

    # Writes

    async def record(self, activities: Sequence[Activity]) -> set[str]:
        """Records the activities whose id is new; the ids recorded now."""
        return await asyncio.to_thread(self._record, activities)

    def _record(self, activities: Sequence[Activity]) -> set[str]:
        unique: dict[str, Activity] = {}
        for activity in activities:
            unique.setdefault(activity.id, activity)
        if not unique:
            return set()
        with self._write_lock:
            known = self._known_ids(list(unique))
            now = ch_time(self._clock())
            rows = [_event_row(a, now) for key, a in unique.items() if key not in known]
            for index in range(0, len(rows), _INSERT_CHUNK):
                self._sql.insert(
                    f"`{self._db}`.activity_events", rows[index : index + _INSERT_CHUNK]
                )
        return {key for key in unique if key not in known}

    def _known_ids(self, ids: list[str]) -> set[str]:
        known: set[str] = set()
        for index in range(0, len(ids), _ID_CHUNK):
            known.update(
                row["id"]
                for row in self._sql.rows(
                    f"SELECT id FROM `{self._db}`.activity_ids WHERE id IN {{ids:Array(String)}}",
                    {"ids": ids[index : index + _ID_CHUNK]},
                )
            )
        return known

    async def erase(self, user: str, until: datetime | None = None) -> int:
        """Deletes every activity `user` did and every one about their own resources (recorded
        until `until`, default now) from timelines and aggregates; how many there were."""
        return await asyncio.to_thread(self._erase, user, until or self._clock())

    def _erase(self, user: str, until: datetime) -> int:
        condition = (
            "(actor = {user:String} OR subject = {user:String}"
            " OR startsWith(subject, {prefix:String})) AND record_time <= {until:DateTime64(3, 'UTC')}"
        )
        params: dict[str, Any] = {"user": user, "prefix": f"{user}/", "until": until}
        with self._write_lock:
            found = self._sql.rows(
                f"SELECT toYYYYMM(occur_time) AS month, count() AS n"
                f" FROM `{self._db}`.activity_events FINAL WHERE {condition} GROUP BY month",
                params,
            )
            if not found:
                return 0
            for table in ("activity_events", "activity_timeline"):
                self._sql.execute(f"DELETE FROM `{self._db}`.{table} WHERE {condition}", params)
            self._rebuild(int(row["month"]) for row in found)
        return sum(int(row["n"]) for row in found)

    async def rebuild_rollups(self, months: Iterable[int] | None = None) -> None:
        """Computes the rollups of these months (YYYYMM; default all) again from the activities."""
        await asyncio.to_thread(self._rebuild_all, months)

    def _rebuild_all(self, months: Iterable[int] | None) -> None:
        with self._write_lock:
            self._rebuild(self._months() if months is None else months)

    def _months(self) -> list[int]:
        return [
            int(row["month"])
            for row in self._sql.rows(
                f"SELECT DISTINCT toYYYYMM(occur_time) AS month FROM `{self._db}`.activity_events"
            )
        ]

    def _rebuild(self, months: Iterable[int], tables: Iterable[str] = tuple(ROLLUPS)) -> None:
        months = sorted(set(months))
        for table in tables:
            rollup = ROLLUPS[table]
            target = f"`{self._db}`.{table}"
            staging = f"`{self._db}`.{table}_rebuild"
            rebuilt = (
                sorted({*months, *map(_month_before, months)}) if rollup.reaches_back else months
            )
            for month in rebuilt:
                self._sql.execute(f"TRUNCATE TABLE {staging}")
                select = rollup.select.format(
                    source=f"`{self._db}`.{rollup.source}", where=rollup.month, slot=rollup.slot
                )
                self._sql.execute(
                    f"INSERT INTO {staging} SELECT * FROM ({select})"
                    " WHERE toYYYYMM(slot) = {month:UInt32}",
                    {"month": month},
                )
                left = self._sql.rows(f"SELECT count() AS n FROM {staging}")[0]["n"]
                # A month left empty is dropped (REPLACE refuses an empty source).
                self._sql.execute(
                    f"ALTER TABLE {target} REPLACE PARTITION {int(month)} FROM {staging}"
                    if left
                    else f"ALTER TABLE {target} DROP PARTITION {int(month)}"
                )

    # Timelines

    async def timeline(self, query: TimelineQuery) -> list[Activity]:
        """A page of a timeline, newest first (occur_time, then id, descending)."""
        return await asyncio.to_thread(self._timeline, query)

    def _timeline(self, query: TimelineQuery) -> list[Activity]:
        """Read in the table's order without FINAL (which would read the whole timeline to merge
        it): copies of one activity, should a race have stored two, share (occur_time, id) and so
        come next to each other; they are dropped here, and the page read on until it is full."""
        page: list[Activity] = []
        after = query.after
        while len(page) < query.limit:
            wanted = query.limit - len(page) + 1
            rows = self._timeline_rows(query, after, wanted)
            for row in rows:
                if not page or page[-1].id != row["id"]:
                    page.append(_activity(row))
            if len(rows) < wanted:
                break
            after = (parse_time(rows[-1]["occur_text"]), rows[-1]["id"])
        return page[: query.limit]

    def _timeline_rows(
        self, query: TimelineQuery, after: tuple[datetime, str] | None, limit: int
    ) -> list[Row]:
        where = Conditions()
        source = self._source(query.scope_kind, query.scope, where, final=False)
        where.add("occur_time >= {start:DateTime64(3, 'UTC')}", start=query.start)
        if query.end is not None:
            where.add("occur_time < {end:DateTime64(3, 'UTC')}", end=query.end)
        if after is not None:
            where.add(
                "(occur_time, id) < ({after_time:DateTime64(3, 'UTC')}, {after_id:String})",
                after_time=after[0],
                after_id=after[1],
            )
        filter_conditions(query.filters, where)
        where.params["limit"] = limit
        return self._sql.rows(
            f"SELECT {_ACTIVITY_COLUMNS} FROM {source} WHERE {where.sql()}"
            " ORDER BY occur_time DESC, id DESC LIMIT {limit:UInt32}",
            where.params,
        )

    def _source(self, kind: ScopeKind, scope: str, where: Conditions, *, final: bool = True) -> str:
        """The table a scope's activities are read from (with FINAL: each id once)."""
        suffix = " FINAL" if final else ""
        if kind is ScopeKind.PLATFORM:
            return f"`{self._db}`.activity_events{suffix}"
        where.add("timeline = {timeline:String}", timeline=timeline_key(kind, scope))
        return f"`{self._db}`.activity_timeline{suffix}"

    # Aggregates

    async def aggregate(self, query: AggregateQuery) -> Aggregate:
        """Buckets of the range in the query's zone, with the range's totals and top lists."""
        return await asyncio.to_thread(self._aggregate, query)

    def _aggregate(self, query: AggregateQuery) -> Aggregate:
        zone = ZoneInfo(query.time_zone or "UTC")
        bounds = bucket_bounds(query.start, query.end, query.interval, zone)
        limit = query.breakdown_limit if query.breakdown is not Dimension.NONE else 0
        if self._path(query) is AggregatePath.ROLLUPS:
            sql, params = self._rollup_sql(query, bounds)
            rows = _rollup_rows(self._sql.rows(sql, params))
        else:
            sql, params = self._raw_sql(query)
            rows = self._sql.rows(sql, params)
        aggregate = _assemble(rows, bounds, limit)
        if query.top_count:
            aggregate.top_objects.extend(self._top(query, "subject"))
            aggregate.top_actors.extend(self._top(query, "actor"))
        return aggregate

    async def aggregate_path(self, query: AggregateQuery) -> AggregatePath:
        """Where `query` is counted from: ROLLUPS or RAW."""
        return await asyncio.to_thread(self._path, query)

    def _path(self, query: AggregateQuery) -> AggregatePath:
        if not _rollups_answer(query):
            return AggregatePath.RAW
        if query.path is AggregatePath.ROLLUPS or query.scope_kind is ScopeKind.PLATFORM:
            return AggregatePath.ROLLUPS
        if self._estimate(query) > self._space_raw_up_to:
            return AggregatePath.ROLLUPS
        return AggregatePath.RAW

    def _estimate(self, query: AggregateQuery) -> int:
        """A space's activities in the query's range as the hourly rollup counted them when inserted
        (the range widened to whole hours): one small column, a row per hour at most."""
        rows = self._sql.rows(
            f"SELECT sum(activities) AS n FROM `{self._db}`.activity_rollup_hour"
            " WHERE timeline = {timeline:String}"
            " AND slot >= {start:DateTime64(3, 'UTC')} AND slot < {end:DateTime64(3, 'UTC')}",
            {
                "timeline": _rollup_key(query),
                "start": _floor_slot(query.start, _HOUR),
                "end": query.end,
            },
        )
        return int(rows[0]["n"]) if rows else 0

    def _grouping(self, query: AggregateQuery, counted: str) -> str:
        """The outer query over `t` (the time) and the activity columns: per bucket, per bucket
        and kind, per bucket and breakdown key, and the whole range, in one read."""
        key = DIMENSION_COLUMN[query.breakdown]
        sets = "(bucket), (bucket, kind), (bucket, key), ()"
        return (
            f"SELECT grouping(bucket, kind, key) AS g, bucket, kind, key, {counted}"
            f" FROM (SELECT {bucket_start(query.interval, 't')} AS bucket, {KIND} AS kind,"
            f" {key} AS key, * FROM ({{inner}})) GROUP BY GROUPING SETS ({sets})"
        )

    def _raw_sql(self, query: AggregateQuery) -> tuple[str, dict[str, Any]]:
        where = Conditions()
        source = self._source(query.scope_kind, query.scope, where)
        where.add(
            "occur_time >= {start:DateTime64(3, 'UTC')} AND occur_time < {end:DateTime64(3, 'UTC')}",
            start=query.start,
            end=query.end,
        )
        filter_conditions(query.filters, where)
        inner = (
            "SELECT occur_time AS t, verb, event_type, source, space, actor, subject"
            f" FROM {source} WHERE {where.sql()}"
        )
        outer = self._grouping(
            query, "count() AS activities, uniqExactIf(actor, actor != '') AS actors"
        )
        return outer.replace("{inner}", inner), {**where.params, "tz": query.time_zone or "UTC"}

    def _rollup_sql(
        self, query: AggregateQuery, bounds: list[datetime]
    ) -> tuple[str, dict[str, Any]]:
        """Per bucket and over the range: whole slots from the rollups, the parts of slots the
        range cuts at either end from the activities."""
        if query.scope_kind is ScopeKind.PLATFORM:
            parts, params, fine = self._platform_slots(query, bounds)
            state = "uniqExactStateIf(sipHash64(actor), actor != '')"
            state_type = "AggregateFunction(uniqExact, UInt64)"
        else:
            parts, params, fine = self._space_slots(query, bounds)
            state = "uniqExactStateIf(actor, actor != '')"
            state_type = "AggregateFunction(uniqExact, String)"
        inner_start, inner_end = params["inner_start"], params["inner_end"]
        edges = Conditions()
        # Without FINAL (which would read the scope's whole key range): the edges count like the
        # rollups, which hold what was inserted.
        source = self._source(query.scope_kind, query.scope, edges, final=False)
        edges.add(
            "((occur_time >= {start:DateTime64(3, 'UTC')}"
            " AND occur_time < {inner_start:DateTime64(3, 'UTC')})"
            " OR (occur_time >= {inner_end:DateTime64(3, 'UTC')}"
            " AND occur_time < {end:DateTime64(3, 'UTC')}))",
            start=query.start,
            end=query.end,
            inner_start=inner_start,
            inner_end=inner_end,
        )
        slot_start = "toStartOfHour" if fine == _HOUR else "toStartOfFifteenMinutes"
        inner = " UNION ALL ".join(
            [
                *parts,
                f"SELECT toDateTime({slot_start}(occur_time), 'UTC') AS t, count() AS n,"
                f" sumMap(map({KIND}, toUInt64(1))) AS kinds,"
                f" CAST({state} AS {state_type}) AS actors"
                f" FROM {source} WHERE {edges.sql()} GROUP BY t",
            ]
        )
        slotted = f"SELECT {bucket_start(query.interval, 't')} AS bucket, * FROM ({inner})"
        if query.scope_kind is ScopeKind.PLATFORM:
            # A bucket's sets merged once, the range's from the buckets' (a space's hourly string
            # sets merge faster in one pass: benchmarks/activity_store.py).
            slotted = (
                "SELECT bucket, sum(n) AS n, sumMap(kinds) AS kinds,"
                f" uniqExactMergeState(actors) AS actors FROM ({slotted}) GROUP BY bucket"
            )
        sql = (
            "SELECT grouping(bucket) AS g, bucket, sum(n) AS activities, sumMap(kinds) AS kinds,"
            f" uniqExactMerge(actors) AS actors FROM ({slotted})"
            " GROUP BY GROUPING SETS ((bucket), ())"
        )
        return sql, {**params, **edges.params, "tz": query.time_zone or "UTC"}

    def _space_slots(
        self, query: AggregateQuery, bounds: list[datetime]
    ) -> tuple[list[str], dict[str, Any], timedelta]:
        """A space's whole slots: hours where every bucket bound is a whole hour (a zone whose
        offset is whole hours over the range), else 15 minutes."""
        hourly = all(b.minute == 0 and b.second == 0 and b.microsecond == 0 for b in bounds)
        slot = _HOUR if hourly else _SLOT
        table = "activity_rollup_hour" if hourly else "activity_rollup"
        rolled = Conditions()
        rolled.add("timeline = {timeline:String}", timeline=_rollup_key(query))
        rolled.add(
            "slot >= {inner_start:DateTime64(3, 'UTC')} AND slot < {inner_end:DateTime64(3, 'UTC')}",
            **_inner(query, slot),
        )
        part = (
            "SELECT slot AS t, toUInt64(activities) AS n, kinds, actors"
            f" FROM `{self._db}`.{table} WHERE {rolled.sql()}"
        )
        return [part], rolled.params, slot

    def _platform_slots(
        self, query: AggregateQuery, bounds: list[datetime]
    ) -> tuple[list[str], dict[str, Any], timedelta]:
        """The platform's whole slots: a local day's whole hours from the day rollup where they
        are 24 or 23 (buckets of days, weeks or months), the other hours no bucket bound or
        local midnight cuts from the hourly rollup, the rest (the hours a bound or midnight cuts,
        the 15-minute slots at the range's ends) from the 15-minute one; a zone whose bounds cut
        most hours (+05:30, hourly buckets) reads 15-minute slots."""
        inner = _inner(query, _SLOT)
        hour_start = _ceil_slot(inner["inner_start"], _HOUR)
        hour_end = _floor_slot(inner["inner_end"], _HOUR)
        days: list[tuple[datetime, datetime]] = []
        if query.interval is not Interval.HOUR and hour_start < hour_end:
            midnights = bucket_bounds(
                hour_start, hour_end, Interval.DAY, ZoneInfo(query.time_zone or "UTC")
            )
            days = list(pairwise(midnights))
            bounds = [*bounds, *midnights]
        cut = sorted(
            {
                _floor_slot(bound, _HOUR)
                for bound in bounds
                if hour_start <= _floor_slot(bound, _HOUR) < bound < hour_end
            }
        )
        windows: dict[int, list[str]] = {23: [], 24: []}
        local_days: list[str] = []
        for day, next_day in days:
            first, last = _ceil_slot(day, _HOUR), _floor_slot(next_day, _HOUR)
            hours = (last - first) // _HOUR
            if hours in windows and hour_start <= first and last <= hour_end:
                windows[hours].append(ch_time(first)[:19])
                local_days.append(ch_time(day)[:19])
        if (hour_end - hour_start) // _HOUR <= 0 or len(cut) * 2 > (hour_end - hour_start) // _HOUR:
            hour_start = hour_end = inner["inner_start"]
            cut, windows, local_days = [], {23: [], 24: []}, []
        params: dict[str, Any] = {
            **inner,
            "hour_start": hour_start,
            "hour_end": hour_end,
            "cut": [ch_time(hour)[:19] for hour in cut],
            "days_24": windows[24],
            "days_23": windows[23],
            "local_days": local_days,
        }
        columns = "SELECT slot AS t, toUInt64(activities) AS n, kinds, actors"
        whole_days = (
            f"{columns} FROM `{self._db}`.activity_rollup_platform_day"
            " WHERE (hours = 24 AND has({days_24:Array(DateTime('UTC'))}, slot))"
            " OR (hours = 23 AND has({days_23:Array(DateTime('UTC'))}, slot))"
        )
        whole_hours = (
            f"{columns} FROM `{self._db}`.activity_rollup_platform_hour"
            " WHERE slot >= {hour_start:DateTime64(3, 'UTC')} AND slot < {hour_end:DateTime64(3, 'UTC')}"
            " AND NOT has({cut:Array(DateTime('UTC'))}, slot)"
            " AND NOT has({local_days:Array(DateTime('UTC'))}, toStartOfDay(slot, {tz:String}))"
        )
        quarters = (
            f"{columns} FROM `{self._db}`.activity_rollup_platform"
            " WHERE slot >= {inner_start:DateTime64(3, 'UTC')} AND slot < {inner_end:DateTime64(3, 'UTC')}"
            " AND (slot < {hour_start:DateTime64(3, 'UTC')} OR slot >= {hour_end:DateTime64(3, 'UTC')}"
            " OR has({cut:Array(DateTime('UTC'))}, toStartOfHour(slot)))"
        )
        return [whole_days, whole_hours, quarters], params, _SLOT

    def _top(self, query: AggregateQuery, column: str) -> list[Count]:
        where = Conditions()
        source = self._source(query.scope_kind, query.scope, where)
        where.add(
            "occur_time >= {start:DateTime64(3, 'UTC')} AND occur_time < {end:DateTime64(3, 'UTC')}",
            start=query.start,
            end=query.end,
        )
        where.add(f"{column} != ''")
        filter_conditions(query.filters, where)
        where.params["top"] = query.top_count
        rows = self._sql.rows(
            f"SELECT {column} AS key, count() AS n, uniqExactIf(actor, actor != '') AS actors"
            f" FROM {source} WHERE {where.sql()}"
            " GROUP BY key ORDER BY n DESC, key LIMIT {top:UInt32}",
            where.params,
        )
        return [Count(row["key"], int(row["n"]), int(row["actors"])) for row in rows]

    async def close(self) -> None:
        await asyncio.to_thread(self._sql.close)


def _rollups_answer(query: AggregateQuery) -> bool:
    """Rollups keep spaces and the platform, per slot: no filter, no breakdown."""
    filters = query.filters
    return not (
        query.path is AggregatePath.RAW
        or query.scope_kind not in (ScopeKind.SPACE, ScopeKind.PLATFORM)
        or query.breakdown is not Dimension.NONE
        or filters.event_types
        or filters.verbs
        or filters.sources
        or needs_rows(filters)
    )


def _rollup_key(query: AggregateQuery) -> str:
    if query.scope_kind is ScopeKind.PLATFORM:
        return PLATFORM
    return timeline_key(query.scope_kind, query.scope)


def _rollup_rows(rows: list[Row]) -> list[Row]:
    """Rollup answers in the raw answers' shape (grouping bits of bucket, kind, key)."""
    shaped: list[Row] = []
    for row in rows:
        if int(row["g"]):
            shaped.append({**row, "g": 0b111})
            continue
        shaped.append({**row, "g": 0b011})
        shaped.extend(
            {"g": 0b001, "bucket": row["bucket"], "kind": kind, "activities": count}
            for kind, count in row["kinds"].items()
        )
    return shaped


def _event_row(activity: Activity, recorded: str) -> dict[str, Any]:
    return {
        "id": activity.id,
        "occur_time": ch_time(activity.occur_time),
        "record_time": recorded,
        "actor": activity.actor,
        "actor_display_name": activity.actor_display_name,
        "verb": activity.verb,
        "event_type": activity.event_type,
        "subject": activity.subject,
        "space": activity.space,
        "source": activity.source,
        "summary": activity.summary,
        "properties": dict(activity.properties),
        "timelines": timelines_of(activity.actor, activity.space, activity.subject),
    }


def _activity(row: Row) -> Activity:
    return Activity(
        id=row["id"],
        verb=row["verb"],
        actor=row["actor"],
        actor_display_name=row["actor_display_name"],
        subject=row["subject"],
        space=row["space"],
        source=row["source"],
        event_type=row["event_type"],
        occur_time=parse_time(row["occur_text"]),
        record_time=parse_time(row["record_text"]),
        properties=dict(row["properties"]),
        summary=row["summary"],
    )


def _assemble(rows: list[Row], bounds: list[datetime], breakdown_limit: int) -> Aggregate:
    count = len(bounds) - 1
    totals = [0] * count
    actors = [0] * count
    kinds: list[dict[str, int]] = [{} for _ in range(count)]
    keys: list[list[Count]] = [[] for _ in range(count)]
    range_total = range_actors = 0
    for row in rows:
        grouping = int(row["g"])
        if grouping == 0b111:
            range_total, range_actors = int(row["activities"]), int(row["actors"])
            continue
        index = bucket_index(bounds, datetime.fromtimestamp(int(row["bucket"]), UTC))
        if grouping == 0b011:
            totals[index] += int(row["activities"])
            actors[index] = max(actors[index], int(row["actors"]))
        elif grouping == 0b001:
            kinds[index][row["kind"]] = kinds[index].get(row["kind"], 0) + int(row["activities"])
        elif grouping == 0b010 and breakdown_limit:
            keys[index].append(Count(row["key"], int(row["activities"]), int(row["actors"])))
    buckets = []
    for index in range(count):
        ranked = sorted(keys[index], key=lambda c: (-c.count, c.key))
        shown = ranked[:breakdown_limit]
        buckets.append(
            Bucket(
                start=bounds[index],
                end=bounds[index + 1],
                total=totals[index],
                distinct_actors=actors[index],
                counts_by_event_type=kinds[index],
                breakdown=shown,
                other_count=sum(c.count for c in ranked[breakdown_limit:]),
            )
        )
    return Aggregate(buckets, range_total, range_actors, [], [])


def _month_before(month: int) -> int:
    """The YYYYMM before `month`."""
    year, number = divmod(month, 100)
    return (year - 1) * 100 + 12 if number == 1 else month - 1


def _inner(query: AggregateQuery, slot: timedelta) -> dict[str, datetime]:
    """The whole slots of the query's range: [inner_start, inner_end) (empty when it holds none)."""
    inner_start = _ceil_slot(query.start, slot)
    inner_end = _floor_slot(query.end, slot)
    if inner_start >= inner_end:
        inner_start = inner_end = query.start
    return {"inner_start": inner_start, "inner_end": inner_end}


def _floor_slot(instant: datetime, slot: timedelta) -> datetime:
    minutes = int(slot.total_seconds()) // 60
    instant = instant.astimezone(UTC)
    return instant.replace(
        minute=instant.minute - instant.minute % minutes, second=0, microsecond=0
    )


def _ceil_slot(instant: datetime, slot: timedelta) -> datetime:
    floor = _floor_slot(instant, slot)
    return floor if floor == instant else floor + slot
