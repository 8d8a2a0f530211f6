"""Notifications and push subscriptions the gRPC tests start from."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.knowledge.v1.events_pb2 import DocumentCreated
from knowledge.notifications.v1 import notification_pb2 as pb

from ..support import Events, Spaces

ADA, BOB = "users/ada", "users/bob"
SPACE = "spaces/handbook"


async def documents_created(events: Events, spaces: Spaces, count: int, *, by: str = ADA) -> None:
    """`count` documents created in a space Ada and Bob are in: news for whoever did not."""
    await spaces.add(SPACE, ADA, BOB)
    for number in range(count):
        await events.apply(
            DocumentCreated(
                document=f"{SPACE}/documents/d{number}",
                space=SPACE,
                title=f"Document {number}",
                revision=1,
                author=Actor(name=by),
            )
        )


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def push_subscription(endpoint: str, label: str = "Firefox on laptop") -> pb.PushSubscription:
    """A subscription as a browser gives it: a fresh P-256 key and a 16-byte auth secret."""
    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return pb.PushSubscription(
        endpoint=endpoint,
        p256dh=_b64url(point),
        auth=_b64url(b"0123456789abcdef"),
        device_label=label,
    )
