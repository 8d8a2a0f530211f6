"""The time ranges timelines and aggregates take: not reversed (the kit checks that), ending at
most a minute in the future, and no longer than the retention."""

from __future__ import annotations

from datetime import datetime, timedelta

from knowledge_kit.errors import FieldViolation, ValidationError

FUTURE_SKEW = timedelta(minutes=1)


def checked_window(
    start: datetime | None,
    end: datetime | None,
    *,
    now: datetime,
    retention: timedelta,
    field: str = "time_range",
) -> tuple[datetime, datetime | None]:
    """(start, end) with an unset start at the retention's edge; INVALID_ARGUMENT naming the
    end when it is too far ahead, or the range when it is longer than the retention."""
    if end is not None and end > now + FUTURE_SKEW:
        raise ValidationError(
            f"{field}.end_time is in the future",
            [FieldViolation(f"{field}.end_time", "must be at most a minute from now")],
        )
    if start is None:
        return now - retention, end
    if (end or now) - start > retention:
        days = retention.days
        raise ValidationError(
            f"{field} is longer than the retention of {days} days",
            [FieldViolation(field, f"must span at most {days} days (the retention)")],
        )
    return start, end
