"""Pagination (AIP-158): one default and one maximum page size for the platform, and page
tokens that are opaque, only continue the listing that issued them, and are refused with
INVALID_ARGUMENT naming `page_token` when altered or reused for another listing."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from knowledge_kit.errors import FieldViolation, ValidationError

if TYPE_CHECKING:
    from knowledge_kit.settings import ServiceSettings

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

Position = list[str | int]
"""Where the next page starts: an offset (`[100]`) or the sort key of the last item sent."""

_VERSION = b"\x01"
_NONCE_BYTES = 12


def checked_page_size(page_size: int) -> int:
    """The page size to use: the default for 0, at most the maximum; negative is refused."""
    if page_size < 0:
        raise ValidationError(
            f"page_size must not be negative (got {page_size})",
            [FieldViolation("page_size", f"must be 0 (the default, {DEFAULT_PAGE_SIZE}) or more")],
        )
    return min(page_size or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def invalid_page_token() -> ValidationError:
    """The one answer to a page token this listing did not issue."""
    return ValidationError(
        "page_token is not one this listing returned",
        [FieldViolation("page_token", "must be the next_page_token of the same request")],
    )


class PageTokens:
    """Seals positions into page tokens with AES-GCM: the position is encrypted, and the listing
    it belongs to (parent, filter, order, and the caller for a caller's own list) is
    authenticated with it, so a token opens only for the request that made it."""

    def __init__(self, secret: bytes) -> None:
        self._cipher = AESGCM(hashlib.sha256(b"knowledge-kit page tokens\0" + secret).digest())

    @classmethod
    def for_service(cls, settings: ServiceSettings) -> PageTokens:
        """Tokens keyed by `page_token_secret`, shared by every instance of the service.

        Unset, the key derives from the service name: tokens are still bound and checked,
        but someone who knows the name could read or forge one (it grants no access, as every
        page checks the caller's rights again).
        """
        secret = settings.page_token_secret
        if secret is None:
            return cls(f"service {settings.service_name}".encode())
        return cls(secret.get_secret_value().encode())

    def seal(self, position: Position, listing: Sequence[str]) -> str:
        """A token that resumes `listing` at `position`."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._cipher.encrypt(nonce, json.dumps(position).encode(), _bound(listing))
        return base64.urlsafe_b64encode(_VERSION + nonce + sealed).decode().rstrip("=")

    def open(self, token: str, listing: Sequence[str]) -> Position:
        """The position `token` resumes at; INVALID_ARGUMENT unless `listing` issued it."""
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        except (binascii.Error, ValueError):
            raise invalid_page_token() from None
        version, nonce, sealed = raw[:1], raw[1 : 1 + _NONCE_BYTES], raw[1 + _NONCE_BYTES :]
        if version != _VERSION or len(nonce) != _NONCE_BYTES:
            raise invalid_page_token()
        try:
            position = json.loads(self._cipher.decrypt(nonce, sealed, _bound(listing)))
        except (InvalidTag, ValueError):
            raise invalid_page_token() from None
        if not isinstance(position, list):
            raise invalid_page_token()
        return position

    def request(self, page_size: int, page_token: str, *, listing: Sequence[str]) -> PageRequest:
        """The page a List request asks for; `listing` is everything the listing depends on
        besides the page (e.g. `(parent, filter)`), which a reused token must match."""
        size = checked_page_size(page_size)
        after = self.open(page_token, listing) if page_token else None
        return PageRequest(size, after, tuple(listing), self)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a listing and the token of the next (empty on the last page)."""

    items: list[T]
    next_page_token: str


@dataclass(frozen=True, slots=True)
class PageRequest:
    """`size` items of `listing`, starting `after` a position (None: from the start)."""

    size: int
    after: Position | None
    listing: tuple[str, ...]
    tokens: PageTokens

    @property
    def fetch_limit(self) -> int:
        """One more than the page, to learn whether another page follows."""
        return self.size + 1

    @property
    def offset(self) -> int:
        """How many items the earlier pages held, for listings paged by offset."""
        if self.after is None:
            return 0
        match self.after:
            case [int(offset)] if offset >= 0:
                return offset
        raise invalid_page_token()

    def page(self, fetched: list[T], resume_after: Callable[[T], Position]) -> Page[T]:
        """The page out of up to `fetch_limit` items, resuming after the last one's position."""
        items = fetched[: self.size]
        if len(fetched) <= self.size:
            return Page(items, "")
        return Page(items, self.tokens.seal(resume_after(items[-1]), self.listing))

    def page_at_offset(self, fetched: list[T]) -> Page[T]:
        """The page out of up to `fetch_limit` items fetched from `offset`."""
        return self.page(fetched, lambda _: [self.offset + self.size])


def _bound(listing: Sequence[str]) -> bytes:
    return json.dumps(list(listing)).encode()
