"""Bucket widths of an aggregate, and how many buckets a range may be cut into."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import Enum

from knowledge_kit.errors import FieldViolation, ValidationError

MAX_BUCKETS = 2_000
MAX_BREAKDOWN_LIMIT = 100
DEFAULT_BREAKDOWN_LIMIT = 10
MAX_TOP_COUNT = 100


class Interval(Enum):
    HOUR = "hour"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


# The shortest each interval can be (a day of 23 hours, a month of 28 days), to bound the count.
_SHORTEST = {
    Interval.HOUR: timedelta(hours=1),
    Interval.DAY: timedelta(hours=23),
    Interval.WEEK: timedelta(days=7) - timedelta(hours=1),
    Interval.MONTH: timedelta(days=28) - timedelta(hours=1),
}


class Dimension(Enum):
    NONE = ""
    VERB = "verb"
    ACTOR = "actor"
    SPACE = "space"
    OBJECT = "object"


def check_bucket_count(start: datetime, end: datetime, interval: Interval) -> None:
    """INVALID_ARGUMENT naming `interval` when the range would give more than MAX_BUCKETS."""
    most = (end - start) // _SHORTEST[interval] + 2
    if most > MAX_BUCKETS:
        raise ValidationError(
            f"the range holds more than {MAX_BUCKETS} {interval.value} buckets",
            [FieldViolation("interval", f"must cut the range into at most {MAX_BUCKETS} buckets")],
        )


def checked_count(value: int, field: str, *, default: int, lowest: int, highest: int) -> int:
    """`value` (the default for 0) when between `lowest` and `highest`; INVALID_ARGUMENT naming
    `field` otherwise."""
    if value == 0:
        return default
    if not lowest <= value <= highest:
        raise ValidationError(
            f"{field} is {value}",
            [FieldViolation(field, f"must be {lowest} to {highest} (0: {default})")],
        )
    return value
