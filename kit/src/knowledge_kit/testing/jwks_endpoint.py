"""A real JWKS endpoint on loopback that mints tokens with its current key and can rotate keys."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from knowledge_kit.auth.signing import SigningKey, jwks_document

ISSUER = "knowledge-auth-test"
AUDIENCE = "knowledge-platform"


class JwksEndpoint:
    """Serves `GET /.well-known/jwks.json` over HTTP; `fetches` counts how often it was read."""

    def __init__(self, algorithm: str = "EdDSA") -> None:
        self.issuer = ISSUER
        self.audience = AUDIENCE
        self.keys: list[SigningKey] = [SigningKey.generate(algorithm)]
        self.fetches = 0
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path != "/.well-known/jwks.json":
                    self.send_error(404)
                    return
                endpoint.fetches += 1
                body = json.dumps(jwks_document(endpoint.keys)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/.well-known/jwks.json"

    @property
    def current_key(self) -> SigningKey:
        return self.keys[-1]

    def rotate(self, algorithm: str = "EdDSA") -> SigningKey:
        """Publish a new key and sign with it from now on (old keys stay published)."""
        key = SigningKey.generate(algorithm)
        self.keys.append(key)
        return key

    def mint(
        self,
        subject: str = "users/alice",
        *,
        roles: Iterable[str] = ("reader",),
        session_id: str | None = "session-1",
        ttl_seconds: float = 300,
        audience: str | None = None,
        key: SigningKey | None = None,
        **extra_claims: Any,
    ) -> str:
        """A token signed by the current key (or `key`), following the platform convention."""
        return (key or self.current_key).issue(
            subject=subject,
            issuer=self.issuer,
            audience=audience or self.audience,
            roles=roles,
            session_id=session_id,
            ttl_seconds=ttl_seconds,
            extra_claims=extra_claims,
        )

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
