"""Rules for the text fields people type: names and titles, descriptions and bodies."""

from __future__ import annotations

from knowledge_kit.errors import FieldViolation, ValidationError


def checked_label(value: str, field: str, *, what: str, max_length: int) -> str:
    """A name or title: present, one line, at most `max_length` characters (stripped)."""
    value = value.strip()
    if not value:
        raise ValidationError(
            f"the {what} is missing", [FieldViolation(field, "must not be empty")]
        )
    if len(value) > max_length or "\n" in value:
        raise ValidationError(
            f"the {what} is too long or spans lines",
            [FieldViolation(field, f"must be one line of at most {max_length} characters")],
        )
    return value


def checked_length(value: str, field: str, *, what: str, max_length: int) -> str:
    """A free text of at most `max_length` characters."""
    if len(value) > max_length:
        raise ValidationError(
            f"the {what} is too long",
            [FieldViolation(field, f"must be at most {max_length} characters")],
        )
    return value
