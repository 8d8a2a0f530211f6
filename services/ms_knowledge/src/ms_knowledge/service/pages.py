"""Pagination (AIP-158): page sizes and opaque page tokens bound to the query they continue."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Generic, TypeVar

from knowledge_kit.errors import FieldViolation, ValidationError

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which slice of a listing to return: `size` items from `offset`."""

    offset: int
    size: int
    query: str

    @property
    def fetch_limit(self) -> int:
        """One more than the page, to learn whether another page follows."""
        return self.size + 1

    def next_token(self, fetched: int) -> str:
        """The token of the next page, or "" when `fetched` shows this page is the last."""
        if fetched <= self.size:
            return ""
        return _encode(self.offset + self.size, self.query)


def page_request(page_size: int, page_token: str, *, query: str) -> PageRequest:
    """Read `page_size` (0 means the default) and `page_token`, which must come from the same
    `query` (e.g. the parent and filter of the listing)."""
    if page_size < 0:
        raise ValidationError(
            "page_size must not be negative", [FieldViolation("page_size", "must be 0 or more")]
        )
    size = min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    if not page_token:
        return PageRequest(0, size, query)
    return PageRequest(_decode(page_token, query), size, query)


def _fingerprint(query: str) -> str:
    return hashlib.sha256(query.encode()).hexdigest()[:16]


def _encode(offset: int, query: str) -> str:
    raw = json.dumps({"offset": offset, "query": _fingerprint(query)}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, query: str) -> int:
    invalid = ValidationError(
        "page_token is not one this listing returned",
        [FieldViolation("page_token", "must be the next_page_token of the same listing")],
    )
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        decoded = json.loads(raw)
    except (binascii.Error, ValueError):
        raise invalid from None
    if not isinstance(decoded, dict) or decoded.get("query") != _fingerprint(query):
        raise invalid
    offset = decoded.get("offset")
    if not isinstance(offset, int) or offset < 0:
        raise invalid
    return offset


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing and the token of the next (empty on the last page)."""

    items: list[T]
    next_page_token: str


def page_of(request: PageRequest, fetched: list[T]) -> Page[T]:
    """The page `request` asked for, out of up to `request.fetch_limit` fetched items."""
    return Page(fetched[: request.size], request.next_token(len(fetched)))
