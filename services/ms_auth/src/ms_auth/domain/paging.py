"""Page sizes and opaque page tokens of the List RPCs."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from knowledge_kit.errors import FieldViolation, ValidationError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


def checked_page_size(page_size: int, field: str = "page_size") -> int:
    """The page size to use: the default for 0, at most the maximum; negative is refused."""
    if page_size < 0:
        raise ValidationError(
            "page_size must not be negative", [FieldViolation(field, "must not be negative")]
        )
    return min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def encode_page_token(position: list[Any]) -> str:
    """An opaque token that resumes a listing after `position`."""
    return base64.urlsafe_b64encode(json.dumps(position).encode()).decode()


def decode_page_token(token: str, length: int, field: str = "page_token") -> list[Any] | None:
    """The position in `token` (None for the first page), or a ValidationError naming `field`."""
    if not token:
        return None
    try:
        position = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        position = None
    if not isinstance(position, list) or len(position) != length:
        raise ValidationError(
            "page_token is not valid",
            [FieldViolation(field, "must be a next_page_token as returned")],
        )
    return position
