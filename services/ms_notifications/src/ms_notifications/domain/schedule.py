"""When email and push may go out: the user's time zone, quiet hours, digests and retries.

Quiet hours and digest times are the user's wall-clock times. Across a daylight-saving change a
wall-clock time may not exist (the clocks jump over it: the moment the clocks jump counts) or may
happen twice (clocks go back: a window starts at the first occurrence and ends at the second, so
it never ends early and never opens twice). Every time handed in or out is aware; out means UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from knowledge_kit.errors import FieldViolation, ValidationError

from .preferences import MINUTES_PER_DAY, EmailFrequency

DIGEST_LOCAL_TIME = time(8, 0)
"""Daily and weekly digests go out at 08:00 in the user's time zone (weekly: on Mondays)."""

MAX_ATTEMPTS = 6
"""Attempts of one delivery before it is given up (NotificationFailed)."""
RETRY_FIRST_DELAY = timedelta(seconds=30)
RETRY_MAX_DELAY = timedelta(hours=1)

_MINUTE = timedelta(minutes=1)


def time_zone(name: str, field: str = "preferences.time_zone") -> ZoneInfo:
    """The IANA time zone `name` (e.g. Europe/Berlin); UTC when empty."""
    if not name:
        return ZoneInfo("UTC")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a path
        pass
    raise ValidationError(
        f"{name!r} is not a time zone",
        [FieldViolation(field, "must be an IANA time zone name such as Europe/Berlin")],
    )


def checked_quiet_hours(
    start_minute: int, end_minute: int, field: str = "preferences.quiet_hours"
) -> tuple[int, int]:
    """A quiet-hours window in minutes after local midnight (start == end: no quiet hours)."""
    violations = [
        FieldViolation(f"{field}.{part}", f"must be a minute of the day, 0..{MINUTES_PER_DAY - 1}")
        for part, value in (("start_minute", start_minute), ("end_minute", end_minute))
        if not 0 <= value < MINUTES_PER_DAY
    ]
    if violations:
        raise ValidationError("quiet hours must be minutes of the day", violations)
    return start_minute, end_minute


def in_quiet_hours(now_utc: datetime, zone: ZoneInfo, start_minute: int, end_minute: int) -> bool:
    """Whether email and push are held at `now_utc` by the user's quiet hours."""
    return _window_containing(_utc(now_utc), zone, start_minute, end_minute) is not None


def quiet_hours_end(
    now_utc: datetime, zone: ZoneInfo, start_minute: int, end_minute: int
) -> datetime:
    """When the quiet hours holding `now_utc` end (UTC); `now_utc` itself when none hold it."""
    end = _utc(now_utc)
    while (window := _window_containing(end, zone, start_minute, end_minute)) is not None:
        end = window[1]
    return end


def next_digest_at(
    frequency: EmailFrequency, now_utc: datetime, zone: ZoneInfo, last_sent_utc: datetime | None
) -> datetime:
    """When the next digest of `frequency` goes out (UTC): the first digest time after both now
    and the last digest sent, so that one period never gets two. Immediate email: now.

    Hourly digests go at the top of each local hour (at half past in a +05:30 zone), daily ones at
    08:00 local, weekly ones on Mondays at 08:00 local.
    """
    now = _utc(now_utc)
    after = now if last_sent_utc is None else max(now, _utc(last_sent_utc))
    if frequency is EmailFrequency.IMMEDIATE:
        return now
    if frequency is EmailFrequency.HOURLY:
        return _next_top_of_hour(after, zone)
    local_day = after.astimezone(zone).date()
    if frequency is EmailFrequency.WEEKLY:
        local_day += timedelta(days=-local_day.weekday() % 7)
        step = timedelta(days=7)
    else:
        step = timedelta(days=1)
    minute = DIGEST_LOCAL_TIME.hour * 60 + DIGEST_LOCAL_TIME.minute
    while (slot := _at_local(local_day, minute, zone, earliest=True)) <= after:
        local_day += step
    return slot


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1 for the first): 30 s, doubling
    each time, at most an hour."""
    if attempt < 1:
        raise ValueError("attempts are counted from 1")
    factor = 1 << min(attempt - 1, 16)
    return min(RETRY_FIRST_DELAY * factor, RETRY_MAX_DELAY)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed, not a naive one")
    return moment.astimezone(UTC)


def _window_containing(
    moment: datetime, zone: ZoneInfo, start_minute: int, end_minute: int
) -> tuple[datetime, datetime] | None:
    """The quiet-hours window (start, end) in UTC that holds `moment`, if any."""
    checked_quiet_hours(start_minute, end_minute)
    if start_minute == end_minute:
        return None
    crosses_midnight = start_minute > end_minute
    local_day = moment.astimezone(zone).date()
    for day in (local_day - timedelta(days=1), local_day):
        end_day = day + timedelta(days=1) if crosses_midnight else day
        start = _at_local(day, start_minute, zone, earliest=True)
        end = _at_local(end_day, end_minute, zone, earliest=False)
        if start <= moment < end:
            return start, end
    return None


def _at_local(day: date, minute: int, zone: ZoneInfo, *, earliest: bool) -> datetime:
    """The UTC moment the user's clock shows `minute` after midnight of `day`.

    A time shown twice gives its first (`earliest`) or its second occurrence; a time the clocks
    jump over gives the moment of the jump.
    """
    wall = datetime.combine(day, time(minute // 60, minute % 60))
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if first == second:
        return first
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return min(first, second) if earliest else max(first, second)
    return _first_moment_showing(wall, min(first, second), max(first, second), zone)


def _first_moment_showing(
    wall: datetime, low: datetime, high: datetime, zone: ZoneInfo
) -> datetime:
    """The first moment in [low, high] whose local time is at or after `wall` (a bisection: local
    time only moves forward across a gap)."""
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def _next_top_of_hour(after: datetime, zone: ZoneInfo) -> datetime:
    """The first moment after `after` at which the local clock shows a whole hour."""
    moment = after.replace(second=0, microsecond=0) + _MINUTE
    for _ in range(2 * MINUTES_PER_DAY):
        if moment.astimezone(zone).minute == 0:
            return moment
        moment += _MINUTE
    raise AssertionError(f"{zone.key} shows no whole hour within two days")  # pragma: no cover
