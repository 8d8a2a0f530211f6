"""IANA time zones, as callers name them."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from knowledge_kit.errors import FieldViolation, ValidationError

DEFAULT_ZONE = "UTC"
MAX_ZONE_CHARS = 64


def checked_zone(name: str, field: str = "time_zone") -> ZoneInfo:
    """The zone `name` (UTC when empty); INVALID_ARGUMENT naming `field` when unknown."""
    if not name:
        return ZoneInfo(DEFAULT_ZONE)
    if len(name) <= MAX_ZONE_CHARS and "\x00" not in name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            pass
    raise ValidationError(
        f"{field} is not an IANA time zone (got {name[:40]!r})",
        [FieldViolation(field, "must be an IANA time zone such as Europe/Amsterdam")],
    )
