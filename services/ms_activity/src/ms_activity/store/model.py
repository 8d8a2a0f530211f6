"""What the store keeps and answers: activities, timeline and aggregate queries, and their results.

Times are aware datetimes in UTC (the store keeps milliseconds). An activity's id is the event
envelope's id or the id a client gave it; recording it again changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from ..domain.buckets import Dimension, Interval
from ..domain.filters import Filters
from ..domain.scope import ScopeKind


@dataclass(frozen=True, slots=True)
class Activity:
    """One thing that happened: who (actor, "" for the system) did what (verb) to what
    (subject), where (space, "" for none), when (occur_time), reported by whom (source)."""

    id: str
    verb: str
    actor: str
    actor_display_name: str
    subject: str
    space: str
    source: str
    event_type: str
    occur_time: datetime
    # When the store recorded it; set by the store on the way out.
    record_time: datetime | None = None
    properties: Mapping[str, str] = field(default_factory=dict)
    summary: str = ""


@dataclass(frozen=True, slots=True)
class TimelineQuery:
    """A page of a timeline, newest first: activities of `scope` in [start, end) that pass the
    filters, after the cursor `after` (the occur_time and id of the last one shown)."""

    scope_kind: ScopeKind
    scope: str
    start: datetime
    end: datetime | None
    filters: Filters
    after: tuple[datetime, str] | None
    limit: int


class AggregatePath(Enum):
    """Where an aggregate is counted from."""

    CHOSEN = "chosen"
    """Where they answer, the platform's rollups, and a space's when its range holds enough
    activities for them to pay; else the activities."""
    ROLLUPS = "rollups"
    """The rollups wherever they answer, however few activities the range holds."""
    RAW = "raw"
    """The activities."""


@dataclass(frozen=True, slots=True)
class AggregateQuery:
    """Counts of `scope`'s activities in [start, end) per interval of `time_zone`."""

    scope_kind: ScopeKind
    scope: str
    start: datetime
    end: datetime
    interval: Interval
    time_zone: str
    filters: Filters
    breakdown: Dimension = Dimension.NONE
    breakdown_limit: int = 10
    top_count: int = 0
    # Where it is counted from; checks and benchmarks name a path, the service lets the store
    # choose. Rollups answer only what they keep (no actor or property filter, no breakdown).
    path: AggregatePath = AggregatePath.CHOSEN


@dataclass(frozen=True, slots=True)
class Count:
    """How many activities one key (a verb, actor, space or object) has, by how many actors."""

    key: str
    count: int
    distinct_actors: int


@dataclass(frozen=True, slots=True)
class Bucket:
    """One interval [start, end) of an aggregate."""

    start: datetime
    end: datetime
    total: int
    distinct_actors: int
    counts_by_event_type: dict[str, int]
    breakdown: list[Count]
    other_count: int


@dataclass(frozen=True, slots=True)
class Aggregate:
    """Buckets oldest first, empty ones included, and the whole range's figures."""

    buckets: list[Bucket]
    total: int
    distinct_actors: int
    top_objects: list[Count]
    top_actors: list[Count]
