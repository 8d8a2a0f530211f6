"""The ClickHouse schema of the activities, as versioned migrations applied when the store opens.

- `activity_events`: every activity once, a ReplacingMergeTree partitioned by month of
  occur_time, ordered by (occur_time, id); each row carries the timelines it belongs to.
- `activity_timeline`: the same activities once per timeline (`actor:users/u`, `space:spaces/s`,
  `subject:<resource>` for the subject and each resource above it), ordered by
  (timeline, occur_time, id): a timeline page is one range read, newest first.
- `activity_rollup`: per space timeline (and `platform`), per 15 minutes in UTC: the activities
  (a sum), their counts per event type (or verb; a sumMap) and the set of actors (uniqExact
  state), kept by a materialized view. Every IANA zone's offset is a multiple of 15 minutes, so local hours, days,
  weeks and months (across daylight-saving changes, and for +05:30 or +05:45) are unions of
  slots; distinct actors merge exactly.
- `activity_rollup_hour`: the same per UTC hour (migration 2, filled from the activities when
  it is applied). A zone whose offset is a whole number of hours over the range (every zone but
  a few, such as +05:30 and +05:45) has buckets that are unions of hours: its aggregates merge a
  quarter of the slots. The others read the 15-minute rollup.
- `activity_rollup_platform_hour` and `activity_rollup_platform` (migration 3, filled from the
  activities when it is applied): the platform's own rollups, per UTC hour and per 15 minutes, in
  tables of their own with small granules. Their actor sets hold a 64-bit hash of each actor
  (`sipHash64`; a string's set holds 128-bit hashes, twice the bytes to read and merge; two actors
  would count as one only if their hashes collided, odds of about n^2 / 2^65 for n actors, 3e-8
  for a million). A platform aggregate reads its whole hours from the hourly table and, from the
  15-minute one, only the hours a bucket bound cuts (a +05:30 zone's days: one hour a day), which
  the small granules let it read alone.
- `activity_rollup_platform_day` (migration 4, filled from the platform's hours when it is
  applied): from every UTC hour, the platform's next 24 hours and next 23 hours, merged from the
  hourly rows as they are inserted. A local day of a zone whose offset is whole hours is one
  24-hour row (a spring-forward day one 23-hour row); a +05:30 day is the 23-hour row of its whole
  hours and four 15-minute slots: a 90-day aggregate merges ~90 day-sized actor sets instead of
  ~2,160 hourly ones.
- `activity_ids`: the ids recorded (ordered by id), read before each insert so a redelivered,
  replayed or retried activity is not recorded twice. It keeps the ids of erased activities too,
  so a replay does not bring them back.

Deduplication holds in query results: inserts skip ids already recorded; should two writers race
on one id, a timeline page drops the second copy (copies sort next to each other) and raw
aggregates and top lists read with FINAL (the rollups would count such a race twice until
`rebuild_rollups`).

Statements are idempotent (IF NOT EXISTS), so two instances starting together apply them safely;
`schema_migrations` records what was applied. `{db}` is the database, `{retention}` the days
activities are kept (a TTL on occur_time).
"""

from __future__ import annotations

from dataclasses import dataclass

_COLUMNS = """
    id String,
    occur_time DateTime64(3, 'UTC'),
    record_time DateTime64(3, 'UTC'),
    actor String,
    actor_display_name String,
    verb LowCardinality(String),
    event_type LowCardinality(String),
    subject String,
    space String,
    source LowCardinality(String),
    summary String,
    properties Map(String, String)"""

# The rollup's rows from activities (the materialized view and a partition's rebuild): spaces'
# timelines and the platform's; a user's or a resource's timeline is small enough to count as it is.
ROLLUP_SELECT = """
    SELECT
        timeline,
        toDateTime({slot}(occur_time), 'UTC') AS slot,
        count() AS activities,
        sumMap(map(if(event_type = '', verb, event_type), toUInt64(1))) AS kinds,
        uniqExactStateIf(actor, actor != '') AS actors
    FROM {source}
    ARRAY JOIN arrayPushBack(arrayFilter(key -> startsWith(key, 'space:'), timelines), 'platform')
        AS timeline
    {where}
    GROUP BY timeline, slot"""

# The platform's rollup rows from activities: every activity, an actor as a 64-bit hash.
PLATFORM_ROLLUP_SELECT = """
    SELECT
        toDateTime({slot}(occur_time), 'UTC') AS slot,
        count() AS activities,
        sumMap(map(if(event_type = '', verb, event_type), toUInt64(1))) AS kinds,
        uniqExactStateIf(sipHash64(actor), actor != '') AS actors
    FROM {source}
    {where}
    GROUP BY slot"""


# The platform's days: per hour, the 24 hours and the 23 hours from its start, merged from the
# platform's hourly rows (a chained view: the hourly rows an insert makes are its input). Every
# local day of a zone whose offset is whole hours is one 24-hour window (a spring-forward day
# one 23-hour window); a +05:30 or +05:45 day is the 23 whole hours inside it and two pieces of
# hours.
PLATFORM_DAY_SELECT = """
    SELECT
        hours,
        toDateTime(hour - toIntervalHour(w.2), 'UTC') AS slot,
        sum(activities) AS activities,
        sumMap(kinds) AS kinds,
        uniqExactMergeState(actors) AS actors
    FROM (SELECT slot AS hour, activities, kinds, actors FROM {source} {where})
    ARRAY JOIN arrayConcat(
        arrayMap(k -> (toUInt8(24), k), range(24)), arrayMap(k -> (toUInt8(23), k), range(23))
    ) AS w
    GROUP BY w.1 AS hours, slot"""

# A platform day rollup's rows of one month (its windows start in the month and reach into the
# next one's first day).
_HOURS_OF_MONTH = (
    "WHERE toYYYYMM(slot) = {month:UInt32} OR toYYYYMM(slot - toIntervalDay(1)) = {month:UInt32}"
)
_EVENTS_OF_MONTH = "WHERE toYYYYMM(occur_time) = {month:UInt32}"


@dataclass(frozen=True, slots=True)
class Rollup:
    """A rollup table: the function that starts its slots and the SELECT that computes its rows
    (`{source}`, `{where}` and `{slot}` to fill in); a rebuild reads `source` with `month`, and
    a month's rows of a rollup that `reaches_back` hold the next month's activities too."""

    slot: str
    select: str
    source: str = "activity_events FINAL"
    month: str = _EVENTS_OF_MONTH
    reaches_back: bool = False


# The rollup tables.
ROLLUPS: dict[str, Rollup] = {
    "activity_rollup": Rollup("toStartOfFifteenMinutes", ROLLUP_SELECT),
    "activity_rollup_hour": Rollup("toStartOfHour", ROLLUP_SELECT),
    "activity_rollup_platform": Rollup("toStartOfFifteenMinutes", PLATFORM_ROLLUP_SELECT),
    "activity_rollup_platform_hour": Rollup("toStartOfHour", PLATFORM_ROLLUP_SELECT),
    # After the hourly one: a rebuild reads it.
    "activity_rollup_platform_day": Rollup(
        "", PLATFORM_DAY_SELECT, "activity_rollup_platform_hour", _HOURS_OF_MONTH, True
    ),
}


def _platform_rollup(table: str) -> tuple[str, ...]:
    """Migration 3's statements for one of the platform's rollup tables."""
    rollup = ROLLUPS[table]
    return (
        f"""CREATE TABLE IF NOT EXISTS `{{db}}`.{table} (
            slot DateTime('UTC'),
            activities SimpleAggregateFunction(sum, UInt64),
            kinds SimpleAggregateFunction(sumMap, Map(String, UInt64)),
            actors AggregateFunction(uniqExact, UInt64)
        ) ENGINE = AggregatingMergeTree
        PARTITION BY toYYYYMM(slot)
        ORDER BY slot
        TTL slot + INTERVAL {{retention}} DAY
        SETTINGS index_granularity = 16""",
        f"CREATE TABLE IF NOT EXISTS `{{db}}`.{table}_rebuild AS `{{db}}`.{table}",
        f"CREATE MATERIALIZED VIEW IF NOT EXISTS `{{db}}`.{table}_mv TO `{{db}}`.{table} AS"
        + rollup.select.format(source="`{db}`.activity_events", where="", slot=rollup.slot),
    )


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]
    # Rollup tables filled from the activities once the statements are applied.
    rebuilds: tuple[str, ...] = ()


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "activities, their timelines, 15-minute rollups of spaces and the platform, recorded ids",
        (
            f"""CREATE TABLE IF NOT EXISTS `{{db}}`.activity_events ({_COLUMNS},
                timelines Array(String)
            ) ENGINE = ReplacingMergeTree
            PARTITION BY toYYYYMM(occur_time)
            ORDER BY (occur_time, id)
            TTL toDateTime(occur_time) + INTERVAL {{retention}} DAY""",
            f"""CREATE TABLE IF NOT EXISTS `{{db}}`.activity_timeline (
                timeline String, {_COLUMNS}
            ) ENGINE = ReplacingMergeTree
            PARTITION BY toYYYYMM(occur_time)
            ORDER BY (timeline, occur_time, id)
            TTL toDateTime(occur_time) + INTERVAL {{retention}} DAY""",
            """CREATE MATERIALIZED VIEW IF NOT EXISTS `{db}`.activity_timeline_mv
            TO `{db}`.activity_timeline AS
            SELECT timeline, * EXCEPT (timelines) FROM `{db}`.activity_events
            ARRAY JOIN timelines AS timeline""",
            """CREATE TABLE IF NOT EXISTS `{db}`.activity_rollup (
                timeline String,
                slot DateTime('UTC'),
                activities SimpleAggregateFunction(sum, UInt64),
                kinds SimpleAggregateFunction(sumMap, Map(String, UInt64)),
                actors AggregateFunction(uniqExact, String)
            ) ENGINE = AggregatingMergeTree
            PARTITION BY toYYYYMM(slot)
            ORDER BY (timeline, slot)
            TTL slot + INTERVAL {retention} DAY""",
            # A partition rebuilt here replaces the rollup's (erasure).
            """CREATE TABLE IF NOT EXISTS `{db}`.activity_rollup_rebuild
            AS `{db}`.activity_rollup""",
            "CREATE MATERIALIZED VIEW IF NOT EXISTS `{db}`.activity_rollup_mv"
            " TO `{db}`.activity_rollup AS"
            + ROLLUP_SELECT.format(
                source="`{db}`.activity_events", where="", slot="toStartOfFifteenMinutes"
            ),
            """CREATE TABLE IF NOT EXISTS `{db}`.activity_ids (
                id String,
                occur_time DateTime64(3, 'UTC')
            ) ENGINE = ReplacingMergeTree
            ORDER BY id
            TTL toDateTime(occur_time) + INTERVAL {retention} DAY""",
            """CREATE MATERIALIZED VIEW IF NOT EXISTS `{db}`.activity_ids_mv
            TO `{db}`.activity_ids AS
            SELECT id, occur_time FROM `{db}`.activity_events""",
        ),
    ),
    Migration(
        2,
        "hourly rollups of spaces and the platform, filled from the activities",
        (
            """CREATE TABLE IF NOT EXISTS `{db}`.activity_rollup_hour (
                timeline String,
                slot DateTime('UTC'),
                activities SimpleAggregateFunction(sum, UInt64),
                kinds SimpleAggregateFunction(sumMap, Map(String, UInt64)),
                actors AggregateFunction(uniqExact, String)
            ) ENGINE = AggregatingMergeTree
            PARTITION BY toYYYYMM(slot)
            ORDER BY (timeline, slot)
            TTL slot + INTERVAL {retention} DAY""",
            """CREATE TABLE IF NOT EXISTS `{db}`.activity_rollup_hour_rebuild
            AS `{db}`.activity_rollup_hour""",
            "CREATE MATERIALIZED VIEW IF NOT EXISTS `{db}`.activity_rollup_hour_mv"
            " TO `{db}`.activity_rollup_hour AS"
            + ROLLUP_SELECT.format(source="`{db}`.activity_events", where="", slot="toStartOfHour"),
        ),
        rebuilds=("activity_rollup_hour",),
    ),
    Migration(
        3,
        "the platform's hourly and 15-minute rollups, actors hashed, filled from the activities",
        _platform_rollup("activity_rollup_platform_hour")
        + _platform_rollup("activity_rollup_platform"),
        rebuilds=("activity_rollup_platform_hour", "activity_rollup_platform"),
    ),
    Migration(
        4,
        "the platform's days: 24- and 23-hour windows from every hour, filled from its hours",
        (
            """CREATE TABLE IF NOT EXISTS `{db}`.activity_rollup_platform_day (
                hours UInt8,
                slot DateTime('UTC'),
                activities SimpleAggregateFunction(sum, UInt64),
                kinds SimpleAggregateFunction(sumMap, Map(String, UInt64)),
                actors AggregateFunction(uniqExact, UInt64)
            ) ENGINE = AggregatingMergeTree
            PARTITION BY toYYYYMM(slot)
            ORDER BY (hours, slot)
            TTL slot + INTERVAL {retention} DAY
            SETTINGS index_granularity = 16""",
            """CREATE TABLE IF NOT EXISTS `{db}`.activity_rollup_platform_day_rebuild
            AS `{db}`.activity_rollup_platform_day""",
            "CREATE MATERIALIZED VIEW IF NOT EXISTS `{db}`.activity_rollup_platform_day_mv"
            " TO `{db}`.activity_rollup_platform_day AS"
            + PLATFORM_DAY_SELECT.format(source="`{db}`.activity_rollup_platform_hour", where=""),
        ),
        rebuilds=("activity_rollup_platform_day",),
    ),
)

BOOKKEEPING = (
    "CREATE DATABASE IF NOT EXISTS `{db}`",
    """CREATE TABLE IF NOT EXISTS `{db}`.schema_migrations (
        version UInt32,
        description String,
        applied_at DateTime64(3, 'UTC') DEFAULT now64(3)
    ) ENGINE = ReplacingMergeTree ORDER BY version""",
)
