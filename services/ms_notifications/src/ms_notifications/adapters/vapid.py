"""The service's VAPID key pair (RFC 8292): push services know our messages by it, and browsers
subscribe with its public half (GetPushConfiguration)."""

from __future__ import annotations

import base64
import binascii
import time
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02  # type: ignore[import-untyped]

TOKEN_LIFETIME_SECONDS = 12 * 3600
"""How long one signed VAPID token is valid (push services accept at most 24 hours)."""


class VapidKeys:
    """A P-256 key pair that signs VAPID tokens."""

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        if not isinstance(private_key.curve, ec.SECP256R1):
            raise ValueError("a VAPID key is a P-256 (prime256v1) key")
        self._private_key = private_key
        self._vapid = Vapid02(private_key)

    @classmethod
    def generate(cls) -> VapidKeys:
        """A new key pair (for development; production keeps one key in its settings)."""
        return cls(ec.generate_private_key(ec.SECP256R1()))

    @classmethod
    def from_private_key(cls, pem_or_b64: str) -> VapidKeys:
        """The key pair of a private key as PEM, or base64url (the raw 32-byte key that web-push
        tools print, or DER)."""
        text = pem_or_b64.strip()
        try:
            if text.startswith("-----BEGIN"):
                key = serialization.load_pem_private_key(text.encode(), password=None)
            else:
                raw = _b64url_decode("".join(text.split()))
                if len(raw) == 32:
                    key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
                else:
                    key = serialization.load_der_private_key(raw, password=None)
        except (ValueError, TypeError) as error:
            raise ValueError(f"the VAPID private key cannot be read: {error}") from None
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("a VAPID key is an elliptic-curve (P-256) key")
        return cls(key)

    @property
    def public_key_b64url(self) -> str:
        """The application server key browsers subscribe with: the uncompressed point, base64url
        without padding."""
        point = self._private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return base64.urlsafe_b64encode(point).rstrip(b"=").decode("ascii")

    @property
    def private_key_pem(self) -> str:
        """The private key as PKCS#8 PEM, for the settings."""
        return self._private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")

    def authorization(self, endpoint: str, subject: str) -> str:
        """The Authorization header of a push to `endpoint`: `vapid t=<JWT>,k=<public key>`, the
        token for the endpoint's origin, naming `subject` (mailto: or https:) as our contact."""
        parts = urlsplit(endpoint)
        claims = {
            "aud": f"{parts.scheme}://{parts.netloc}",
            "sub": subject,
            "exp": int(time.time()) + TOKEN_LIFETIME_SECONDS,
        }
        headers: dict[str, str] = self._vapid.sign(claims)
        return headers["Authorization"]


def _b64url_decode(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error as error:
        raise ValueError("not base64url") from error
