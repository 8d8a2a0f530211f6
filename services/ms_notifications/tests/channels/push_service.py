"""A push service for the tests (aiohttp on a free local port) that does what a browser's push
service and the browser do with a push: checks the VAPID token against the application server
key, and decrypts the payload with the subscription's private key (RFC 8291, http_ece)."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import http_ece  # type: ignore[import-untyped]
from aiohttp import web
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class BrowserSubscription:
    """What a browser keeps of a subscription: the private key and auth secret, and the public
    parts it hands the application server."""

    private_key: ec.EllipticCurvePrivateKey = field(
        default_factory=lambda: ec.generate_private_key(ec.SECP256R1())
    )
    auth_secret: bytes = field(default_factory=lambda: os.urandom(16))

    @property
    def p256dh(self) -> str:
        return b64url(
            self.private_key.public_key().public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
            )
        )

    @property
    def auth(self) -> str:
        return b64url(self.auth_secret)

    def decrypt(self, body: bytes) -> bytes:
        plain: bytes = http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth_secret, version="aes128gcm"
        )
        return plain


@dataclass(frozen=True)
class Push:
    """One push as the service received it (header names in lower case)."""

    path: str
    headers: dict[str, str]
    body: bytes


def verified_vapid_claims(authorization: str, application_server_key: str) -> dict[str, Any]:
    """The claims of `vapid t=<JWT>,k=<key>` after checking that `k` is the application server
    key and the JWT is ES256-signed by it; AssertionError otherwise."""
    scheme, _, parameters = authorization.partition(" ")
    assert scheme == "vapid"
    values = dict(part.split("=", 1) for part in parameters.split(","))
    assert values["k"] == application_server_key
    header, claims, signature = values["t"].split(".")
    assert json.loads(unb64url(header)) == {"typ": "JWT", "alg": "ES256"}
    raw = unb64url(signature)
    assert len(raw) == 64
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), unb64url(application_server_key)
    )
    public_key.verify(  # raises InvalidSignature
        encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
        f"{header}.{claims}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    decoded: dict[str, Any] = json.loads(unb64url(claims))
    return decoded


class PushService:
    """Accepts pushes at /push/<id> with 201; `answers` maps an id to another status."""

    def __init__(self) -> None:
        self.received: list[Push] = []
        self.answers: dict[str, int] = {}
        self.base_url = ""

    async def _receive(self, request: web.Request) -> web.Response:
        self.received.append(
            Push(
                request.path,
                {k.lower(): v for k, v in request.headers.items()},
                await request.read(),
            )
        )
        status = self.answers.get(request.match_info["id"], 201)
        return web.Response(status=status, text="" if status == 201 else "push refused")

    def endpoint(self, subscription_id: str) -> str:
        return f"{self.base_url}/push/{subscription_id}"


@asynccontextmanager
async def push_service() -> AsyncIterator[PushService]:
    """A running PushService on 127.0.0.1."""
    service = PushService()
    app = web.Application()
    app.router.add_post("/push/{id}", service._receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    service.base_url = f"http://127.0.0.1:{port}"
    try:
        yield service
    finally:
        await runner.cleanup()
