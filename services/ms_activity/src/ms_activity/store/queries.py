"""SQL of the queries the store asks: filters, bucket starts in a time zone, the sources read.

Every value is a query parameter; only column names and functions chosen here are pasted in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..domain.buckets import Dimension, Interval
from ..domain.filters import Filters
from .sql import Param

# The local start of the interval holding `t` (a DateTime) in zone {tz:String}, as an instant.
_BUCKET = {
    Interval.HOUR: "toStartOfHour({t}, {{tz:String}})",
    Interval.DAY: "toStartOfDay({t}, {{tz:String}})",
    Interval.WEEK: "toDateTime(toMonday({t}, {{tz:String}}), {{tz:String}})",
    Interval.MONTH: "toDateTime(toStartOfMonth({t}, {{tz:String}}), {{tz:String}})",
}

# The column a breakdown groups by.
DIMENSION_COLUMN = {
    Dimension.NONE: "''",
    Dimension.VERB: "verb",
    Dimension.ACTOR: "actor",
    Dimension.SPACE: "space",
    Dimension.OBJECT: "subject",
}

# Counted under its event type, or its verb when reported by a client.
KIND = "if(event_type = '', verb, event_type)"


def bucket_start(interval: Interval, column: str) -> str:
    """Seconds since the epoch of the bucket holding `column`, in zone {tz:String}."""
    return f"toUnixTimestamp({_BUCKET[interval].format(t=column)})"


@dataclass
class Conditions:
    """WHERE clauses and their parameters, built up."""

    clauses: list[str] = field(default_factory=list)
    params: dict[str, Param] = field(default_factory=dict)

    def add(self, clause: str, **params: Param) -> None:
        self.clauses.append(clause)
        for name, value in params.items():
            # Tuples become lists: clickhouse-connect binds a tuple as a Tuple, not an Array.
            self.params[name] = value if isinstance(value, str | int | datetime) else list(value)

    def sql(self) -> str:
        return " AND ".join(self.clauses) if self.clauses else "1"


def filter_conditions(filters: Filters, where: Conditions, *, with_rows: bool = True) -> None:
    """The filters as conditions. `with_rows` False: only those a rollup can answer (event
    types, verbs, sources)."""
    for column, values in (
        ("event_type", filters.event_types),
        ("verb", filters.verbs),
        ("source", filters.sources),
    ):
        if values:
            where.add(f"has({{f_{column}:Array(String)}}, {column})", **{f"f_{column}": values})
    if not with_rows:
        return
    if filters.actors:
        where.add("has({f_actor:Array(String)}, actor)", f_actor=filters.actors)
    for index, (key, value) in enumerate(sorted(filters.properties.items())):
        where.add(
            f"mapContains(properties, {{pk{index}:String}})"
            f" AND properties[{{pk{index}:String}}] = {{pv{index}:String}}",
            **{f"pk{index}": key, f"pv{index}": value},
        )


def needs_rows(filters: Filters) -> bool:
    """Filters a rollup cannot answer: actors and properties."""
    return bool(filters.actors or filters.properties)
