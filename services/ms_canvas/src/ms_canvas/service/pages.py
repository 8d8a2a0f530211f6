"""Offset page tokens bound to the listing they came from (the parent being listed)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from knowledge_kit.errors import FieldViolation, ValidationError

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500


@dataclass(frozen=True)
class PageRequest:
    offset: int
    size: int
    listing: str

    def next_token(self, fetched: int) -> str:
        """The token of the following page, or "" when `fetched` shows this is the last one."""
        if fetched <= self.size:
            return ""
        raw = f"{self.listing}|{self.offset + self.size}".encode()
        return base64.urlsafe_b64encode(raw).decode()


def page_request(page_size: int, page_token: str, *, listing: str) -> PageRequest:
    """Read `page_size` (0: the default) and a `page_token` that must come from `listing`."""
    if page_size < 0:
        raise ValidationError(
            "page_size must not be negative", [FieldViolation("page_size", "must be 0 or more")]
        )
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    if not page_token:
        return PageRequest(0, size, listing)
    try:
        token_listing, _, offset = base64.urlsafe_b64decode(page_token).decode().rpartition("|")
        if token_listing != listing or int(offset) < 0:
            raise ValueError(page_token)
    except ValueError:
        raise ValidationError(
            "page_token does not belong to this listing",
            [FieldViolation("page_token", "must be a next_page_token of the same listing")],
        ) from None
    return PageRequest(int(offset), size, listing)
