"""The AIP-160 subset ListDocuments understands: `title:"text"`."""

from __future__ import annotations

import re

from knowledge_kit.api import checked_query_text
from knowledge_kit.errors import FieldViolation, ValidationError

_TITLE_HAS = re.compile(r'^\s*title\s*:\s*"(?P<text>(?:[^"\\]|\\.)*)"\s*$')
_ESCAPE = re.compile(r"\\(.)")


def title_filter(filter_expression: str) -> str:
    """The text a `title:"text"` filter looks for in titles ("" for no filter); a filter over
    the platform's maximum length is refused before it reaches the database."""
    checked_query_text(filter_expression, "filter")
    if not filter_expression.strip():
        return ""
    match = _TITLE_HAS.fullmatch(filter_expression)
    if match is None:
        raise ValidationError(
            f"filter {filter_expression!r} is not understood",
            [FieldViolation("filter", 'must be empty or look like title:"text"')],
        )
    return _ESCAPE.sub(r"\1", match["text"])
