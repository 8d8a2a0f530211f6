"""Bad ranges, zones, counts and filters are INVALID_ARGUMENT naming the field; the rate limit
counts each minute of the clock apart and says how long until the next one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from knowledge_kit.errors import ValidationError

from ms_activity.domain.buckets import Interval, check_bucket_count, checked_count
from ms_activity.domain.filters import checked_filters
from ms_activity.domain.ranges import checked_window
from ms_activity.domain.rate_limit import RecordLimit
from ms_activity.domain.scope import ScopeKind, scope_of
from ms_activity.domain.zones import checked_zone

NOW = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)
YEAR = timedelta(days=365)


def field_of(refused: pytest.ExceptionInfo[ValidationError]) -> str:
    return refused.value.violations[0].field


def test_time_zones_are_iana_names() -> None:
    assert checked_zone("").key == "UTC"
    assert checked_zone("Asia/Kolkata").key == "Asia/Kolkata"
    for bad in ("Mars/Olympus", "../../etc/passwd", "x" * 70_000, "Europe/Amsterdam\x00"):
        with pytest.raises(ValidationError) as refused:
            checked_zone(bad)
        assert field_of(refused) == "time_zone"


def test_ranges_end_at_most_a_minute_ahead_and_span_at_most_the_retention() -> None:
    assert checked_window(None, None, now=NOW, retention=YEAR) == (NOW - YEAR, None)
    with pytest.raises(ValidationError) as ahead:
        checked_window(None, NOW + timedelta(minutes=2), now=NOW, retention=YEAR)
    assert field_of(ahead) == "time_range.end_time"
    with pytest.raises(ValidationError) as long:
        checked_window(NOW - 2 * YEAR, NOW, now=NOW, retention=YEAR)
    assert field_of(long) == "time_range"


def test_bucket_counts_and_limits() -> None:
    check_bucket_count(NOW - YEAR, NOW, Interval.DAY)
    with pytest.raises(ValidationError) as hourly:
        check_bucket_count(NOW - YEAR, NOW, Interval.HOUR)
    assert field_of(hourly) == "interval"
    assert checked_count(0, "breakdown_limit", default=10, lowest=1, highest=100) == 10
    with pytest.raises(ValidationError) as limit:
        checked_count(-1, "breakdown_limit", default=10, lowest=1, highest=100)
    assert field_of(limit) == "breakdown_limit"


def test_filters_hold_at_most_fifty_values() -> None:
    with pytest.raises(ValidationError) as refused:
        checked_filters(verbs=[f"v.{n}" for n in range(51)])
    assert field_of(refused) == "verbs"
    assert checked_filters(actors=["users/a", "users/a"]).actors == ("users/a",)


def test_parents_name_a_user_a_space_a_resource_or_the_platform() -> None:
    assert scope_of("users/ada", platform_allowed=False).kind is ScopeKind.ACTOR
    assert scope_of("spaces/s1", platform_allowed=False).kind is ScopeKind.SPACE
    document = scope_of("spaces/s1/documents/d1", platform_allowed=False)
    assert (document.kind, document.space) == (ScopeKind.SUBJECT, "spaces/s1")
    assert scope_of("", platform_allowed=True).kind is ScopeKind.PLATFORM
    for bad in ("", "spaces/", "spaces//documents/x", "Spaces/S1"):
        with pytest.raises(ValidationError) as refused:
            scope_of(bad, platform_allowed=False)
        assert field_of(refused) == "parent"


def test_the_rate_limit_counts_minutes_of_the_clock_and_says_when_the_next_one_starts() -> None:
    limit = RecordLimit(1000)
    at = NOW + timedelta(seconds=12.5)
    assert limit.window_of(at) == limit.window_of(NOW) == int(NOW.timestamp())
    assert limit.window_of(NOW + timedelta(seconds=60)) == int(NOW.timestamp()) + 60
    assert limit.wait(at, 500) == 47.5
    assert limit.wait(at, 1001) == float("inf")  # no minute allows it
