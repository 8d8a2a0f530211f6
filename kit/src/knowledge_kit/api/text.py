"""Filter and query text (AIP-160) is bounded before it reaches a database: one platform maximum,
so a megabyte filter is INVALID_ARGUMENT naming the field, not a database error (SQLite refuses
LIKE patterns over 50,000 bytes; every database spends time on a long one)."""

from __future__ import annotations

from knowledge_kit.errors import FieldViolation, ValidationError

MAX_QUERY_CHARS = 1024
# Enough of the text for the caller to recognize it.
_SHOWN_CHARS = 32


def checked_query_text(text: str, field: str) -> str:
    """`text` when it is at most MAX_QUERY_CHARS long; INVALID_ARGUMENT naming `field` (quoting
    only the text's beginning) when it is longer."""
    if len(text) <= MAX_QUERY_CHARS:
        return text
    raise ValidationError(
        f"{field} {text[:_SHOWN_CHARS]!r}… is {len(text)} characters long; at most "
        f"{MAX_QUERY_CHARS} are accepted",
        [FieldViolation(field, f"must be at most {MAX_QUERY_CHARS} characters")],
    )
