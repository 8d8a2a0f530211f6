"""Times a request carries (google.protobuf.Timestamp, knowledge.common.v1.TimeRange), read
into aware datetimes, or INVALID_ARGUMENT naming the field when they are not real times."""

from __future__ import annotations

from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.common.v1.time_range_pb2 import TimeRange

from knowledge_kit.errors import FieldViolation, ValidationError

# RFC 3339's range, which Timestamp documents: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z.
_MIN_SECONDS = -62_135_596_800
_MAX_SECONDS = 253_402_300_799
_MAX_NANOS = 999_999_999


def checked_time(stamp: Timestamp, field: str) -> datetime:
    """`stamp` as a UTC datetime; INVALID_ARGUMENT naming `field` outside Timestamp's range."""
    if not _MIN_SECONDS <= stamp.seconds <= _MAX_SECONDS or not 0 <= stamp.nanos <= _MAX_NANOS:
        raise ValidationError(
            f"{field} is not a time between the years 1 and 9999",
            [FieldViolation(field, "must be a time between 0001-01-01 and 9999-12-31 (UTC)")],
        )
    return stamp.ToDatetime(tzinfo=UTC)


def checked_time_range(window: TimeRange, field: str) -> tuple[datetime | None, datetime | None]:
    """(start inclusive, end exclusive), None where unset; INVALID_ARGUMENT naming the bad
    part, or `field` when the end is not after the start."""
    start = (
        checked_time(window.start_time, f"{field}.start_time")
        if window.HasField("start_time")
        else None
    )
    end = (
        checked_time(window.end_time, f"{field}.end_time") if window.HasField("end_time") else None
    )
    if start is not None and end is not None and end <= start:
        raise ValidationError(
            f"{field} ends before it starts",
            [FieldViolation(field, "end_time must be after start_time")],
        )
    return start, end
