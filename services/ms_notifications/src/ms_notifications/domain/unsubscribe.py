"""One-click unsubscribe tokens: who turns off the email of which category, signed by us.

A mail's List-Unsubscribe link carries a token naming the recipient and the category; whoever
holds the mail may use it without signing in (RFC 8058), so the token is signed (HMAC-SHA256
with the service's secret) and anything altered or made up is refused. Tokens do not expire:
the link of an old mail keeps working.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

from knowledge_kit.errors import FieldViolation, ValidationError

_VERSION = "1"
_PURPOSE = b"ms_notifications unsubscribe\x00"
MIN_SECRET_BYTES = 16


class UnsubscribeTokens:
    """Issues and verifies the tokens of unsubscribe links."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the unsubscribe secret needs at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret

    def issue(self, user: str, category: int) -> str:
        """The token turning off the email of `category` for `user` (e.g. users/u1)."""
        if not user or category <= 0:
            raise ValueError("a token names a user and a category")
        payload = f"{_VERSION}:{category}:{user}".encode()
        return f"{_encode(payload)}.{_encode(self._mac(payload))}"

    def verify(self, token: str, field: str = "token") -> tuple[str, int]:
        """The user and category a token names; ValidationError naming `field` if it is not one
        of ours."""
        try:
            encoded_payload, encoded_mac = token.split(".")
            payload, mac = _decode(encoded_payload), _decode(encoded_mac)
        except ValueError:
            raise _refused(field) from None
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise _refused(field)
        version, category, user = payload.decode().split(":", 2)
        if version != _VERSION:
            raise _refused(field)
        return user, int(category)

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._secret, _PURPOSE + payload, hashlib.sha256).digest()


def _encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    if not text or not text.isascii():
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as error:
        raise ValueError("not base64url") from error


def _refused(field: str) -> ValidationError:
    return ValidationError(
        "the unsubscribe link is not valid",
        [FieldViolation(field, "must be the token of an unsubscribe link, unaltered")],
    )
