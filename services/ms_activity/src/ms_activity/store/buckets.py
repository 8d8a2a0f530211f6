"""The buckets of an aggregate in a time zone: local hours, days, Mondays or months' firsts, as
instants, found with the zone database (daylight-saving days last 23 or 25 hours)."""

from __future__ import annotations

from bisect import bisect_right
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from ..domain.buckets import Interval


def bucket_bounds(
    start: datetime, end: datetime, interval: Interval, zone: ZoneInfo
) -> list[datetime]:
    """The starts of the buckets meeting [start, end), then the end of the last one."""
    bounds = [_first(start, interval, zone)]
    while bounds[-1] < end:
        bounds.append(_next(bounds[-1], interval, zone))
    if len(bounds) == 1:
        bounds.append(_next(bounds[0], interval, zone))
    return bounds


def bucket_index(bounds: list[datetime], instant: datetime) -> int:
    """The bucket holding `instant` (the first or last one for instants outside)."""
    return min(max(bisect_right(bounds, instant) - 1, 0), len(bounds) - 2)


def _first(start: datetime, interval: Interval, zone: ZoneInfo) -> datetime:
    local = start.astimezone(zone)
    if interval is Interval.HOUR:
        return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    day = local.date()
    if interval is Interval.WEEK:
        day -= timedelta(days=day.weekday())
    elif interval is Interval.MONTH:
        day = day.replace(day=1)
    return _midnight(day, zone)


def _next(bound: datetime, interval: Interval, zone: ZoneInfo) -> datetime:
    if interval is Interval.HOUR:
        return bound + timedelta(hours=1)
    day = bound.astimezone(zone).date()
    if interval is Interval.DAY:
        day += timedelta(days=1)
    elif interval is Interval.WEEK:
        day += timedelta(days=7)
    else:
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return _midnight(day, zone)


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=zone).astimezone(UTC)
