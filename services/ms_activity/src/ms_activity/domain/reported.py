"""What a client reports (RecordActivities), checked as one batch: all or none.

Every bad field is named (`activities[3].verb`), so a client learns at once what to mend; one
bad activity refuses the whole batch.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from knowledge_kit.errors import FieldViolation, ValidationError

from .names import SPACE, is_resource, space_of
from .verbs import CLIENT_VERBS

MAX_BATCH = 500
MAX_PROPERTIES = 16
MAX_KEY_CHARS = 64
MAX_VALUE_CHARS = 256
FUTURE_SKEW = timedelta(minutes=1)
DEFAULT_SOURCE = "web"
_SOURCE = re.compile(r"[a-z0-9_]{1,32}")
_KEY = re.compile(rf"[A-Za-z0-9_.-]{{1,{MAX_KEY_CHARS}}}")
# Violations named in one answer; the rest of a very bad batch is summed up.
_NAMED_VIOLATIONS = 20


@dataclass(frozen=True, slots=True)
class Reported:
    """One activity as the client sent it (its time already read from the request)."""

    id: str
    verb: str
    subject: str
    space: str
    occur_time: datetime | None
    properties: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class CheckedReport:
    """A reported activity that may be recorded: canonical id, its space worked out, a time."""

    id: str
    verb: str
    subject: str
    space: str
    occur_time: datetime
    properties: dict[str, str]


def checked_source(source: str) -> str:
    if not source:
        return DEFAULT_SOURCE
    if not _SOURCE.fullmatch(source):
        raise ValidationError(
            f"source is not a client's name (got {source[:40]!r})",
            [FieldViolation("source", "must be 1 to 32 lower-case letters, digits or underscores")],
        )
    return source


def checked_reports(
    reported: Sequence[Reported], now: datetime, retention: timedelta
) -> list[CheckedReport]:
    """The batch ready to record; INVALID_ARGUMENT naming every bad field otherwise."""
    if not 1 <= len(reported) <= MAX_BATCH:
        raise ValidationError(
            f"activities holds {len(reported)} activities",
            [FieldViolation("activities", f"must hold 1 to {MAX_BATCH} activities")],
        )
    violations: list[FieldViolation] = []
    checked: list[CheckedReport] = []
    seen: set[str] = set()
    for index, one in enumerate(reported):
        found = _violations(f"activities[{index}]", one, now, retention)
        activity_id = _canonical_id(one.id)
        if activity_id is not None and activity_id in seen:
            found.append(FieldViolation(f"activities[{index}].id", "appears twice in the batch"))
        if activity_id is not None:
            seen.add(activity_id)
        violations.extend(found)
        if not found and activity_id is not None:
            checked.append(
                CheckedReport(
                    id=activity_id,
                    verb=one.verb,
                    subject=one.subject,
                    space=one.space or space_of(one.subject),
                    occur_time=one.occur_time or now,
                    properties=dict(one.properties),
                )
            )
    if violations:
        named = violations[:_NAMED_VIOLATIONS]
        more = len(violations) - len(named)
        message = f"{len(violations)} bad fields, first {named[0].field}: {named[0].description}"
        if more:
            named.append(FieldViolation("activities", f"and {more} more bad fields"))
        raise ValidationError(message, named)
    return checked


def _canonical_id(value: str) -> str | None:
    """The UUID's lower-case hyphenated form; None unless `value` is one."""
    if len(value) != 36:
        return None
    try:
        parsed = uuid.UUID(value)
    except ValueError:
        return None
    canonical = str(parsed)
    return canonical if canonical == value.lower() else None


def _violations(
    at: str, one: Reported, now: datetime, retention: timedelta
) -> list[FieldViolation]:
    found: list[FieldViolation] = []
    if _canonical_id(one.id) is None:
        found.append(FieldViolation(f"{at}.id", "must be a UUID the client made"))
    if one.verb not in CLIENT_VERBS:
        known = ", ".join(sorted(CLIENT_VERBS))
        found.append(FieldViolation(f"{at}.verb", f"must be one of {known}"))
    if one.subject and not is_resource(one.subject):
        found.append(FieldViolation(f"{at}.subject", "must be empty or a resource name"))
    if one.space:
        if not SPACE.matches(one.space):
            found.append(FieldViolation(f"{at}.space", "must be empty or spaces/{space}"))
        elif space_of(one.subject) not in ("", one.space):
            found.append(FieldViolation(f"{at}.space", "must be the space of the subject"))
    if one.occur_time is not None:
        if one.occur_time > now + FUTURE_SKEW:
            found.append(FieldViolation(f"{at}.occur_time", "must not be in the future"))
        elif one.occur_time < now - retention:
            found.append(FieldViolation(f"{at}.occur_time", "must be within the retention"))
    found.extend(_property_violations(f"{at}.properties", one.properties))
    return found


def _property_violations(at: str, properties: Mapping[str, str]) -> list[FieldViolation]:
    if len(properties) > MAX_PROPERTIES:
        return [FieldViolation(at, f"must hold at most {MAX_PROPERTIES} entries")]
    found = []
    for key, value in properties.items():
        if not _KEY.fullmatch(key):
            found.append(
                FieldViolation(at, f"keys must be 1 to {MAX_KEY_CHARS} letters, digits, _ . -")
            )
        elif len(value) > MAX_VALUE_CHARS:
            found.append(
                FieldViolation(f"{at}[{key}]", f"must be at most {MAX_VALUE_CHARS} characters")
            )
    return found
