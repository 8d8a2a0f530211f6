"""Web Push (RFC 8030): the payload encrypted for the subscription (RFC 8291, aes128gcm) and
signed for with our VAPID key (RFC 8292), posted to the push service the browser chose.

pywebpush posts with a blocking HTTP client, so each push runs in a worker thread. The push
service's answer decides what follows: 404 or 410 mean the subscription is gone for good
(SubscriptionGone: remove it), 408, 425, 429 and 5xx may pass later, any other refusal is final.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from knowledge_kit.errors import FieldViolation, ValidationError
from pywebpush import WebPusher, WebPushException  # type: ignore[import-untyped]

from .failures import DeliveryFailed, SubscriptionGone
from .vapid import VapidKeys

__all__ = [
    "DeliveryFailed",
    "SubscriptionGone",
    "VapidKeys",
    "WebPushSender",
    "validate_subscription",
]

ENDPOINT_MAX_LENGTH = 2048
P256DH_BYTES = 65
AUTH_BYTES = 16
_GONE = frozenset({404, 410})
_RETRYABLE = frozenset({408, 425, 429})


class WebPushSender:
    """Sends encrypted payloads to push subscriptions as the application server `subject`
    (a mailto: or https: contact the push service may use)."""

    def __init__(
        self,
        keys: VapidKeys,
        subject: str,
        *,
        ttl_seconds: int = 24 * 3600,
        timeout_seconds: float = 10.0,
    ) -> None:
        if not subject.startswith(("mailto:", "https:")):
            raise ValueError("the VAPID subject is a mailto: or https: URL")
        self._keys = keys
        self._subject = subject
        self._ttl = ttl_seconds
        self._timeout = timeout_seconds

    async def send(
        self, subscription_endpoint: str, p256dh: str, auth: str, payload: bytes
    ) -> None:
        """Pushes `payload` (at most about 3.9 kB) to one subscription."""
        try:
            response = await asyncio.to_thread(
                self._post, subscription_endpoint, p256dh, auth, payload
            )
        except WebPushException as error:
            raise DeliveryFailed(f"push refused: {error.message}", permanent=True) from error
        except OSError as error:  # the HTTP client's connection errors and timeouts
            raise DeliveryFailed(f"push service unreachable: {error}", permanent=False) from error
        status = int(response.status_code)
        if 200 <= status < 300:
            return
        reason = f"push service {status} {' '.join(str(response.text).split())[:200]}".rstrip()
        if status in _GONE:
            raise SubscriptionGone(reason)
        raise DeliveryFailed(reason, permanent=not (status in _RETRYABLE or status >= 500))

    def _post(self, endpoint: str, p256dh: str, auth: str, payload: bytes) -> Any:
        pusher = WebPusher({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}})
        return pusher.send(
            data=payload,
            headers={
                "Authorization": self._keys.authorization(endpoint, self._subject),
                "Urgency": "normal",
            },
            ttl=self._ttl,
            timeout=self._timeout,
        )


def validate_subscription(
    endpoint: str, p256dh: str, auth: str, field: str = "subscription"
) -> None:
    """ValidationError naming each bad part of a subscription a browser gave: the endpoint must
    be an https URL, p256dh a P-256 public key (65 bytes, base64url), auth 16 bytes (base64url)."""
    violations: list[FieldViolation] = []
    parts = urlsplit(endpoint) if len(endpoint) <= ENDPOINT_MAX_LENGTH else None
    if parts is None or parts.scheme != "https" or not parts.hostname or " " in endpoint:
        violations.append(
            FieldViolation(
                f"{field}.endpoint",
                f"must be the push service's https URL (at most {ENDPOINT_MAX_LENGTH} characters)",
            )
        )
    key = _b64url_decode(p256dh)
    if key is None or len(key) != P256DH_BYTES or not _on_p256(key):
        violations.append(
            FieldViolation(f"{field}.p256dh", "must be a P-256 public key, 65 bytes in base64url")
        )
    secret = _b64url_decode(auth)
    if secret is None or len(secret) != AUTH_BYTES:
        violations.append(
            FieldViolation(f"{field}.auth", f"must be {AUTH_BYTES} bytes in base64url")
        )
    if violations:
        raise ValidationError("the push subscription is malformed", violations)


def _b64url_decode(text: str) -> bytes | None:
    """base64url (or plain base64, as some browsers give it), padding optional; None if not."""
    if not text or not text.isascii():
        return None
    normal = text.replace("+", "-").replace("/", "_").rstrip("=")
    try:
        return base64.b64decode(normal + "=" * (-len(normal) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        return None


def _on_p256(point: bytes) -> bool:
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        return False
    return True
