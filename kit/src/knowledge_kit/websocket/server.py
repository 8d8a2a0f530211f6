"""A WebSocket server whose connections are authenticated before the upgrade.

Browsers cannot set headers on a WebSocket, so the token comes either as the subprotocol
`bearer.<jwt>` offered next to `knowledge.v1` (preferred: it stays out of URLs and access logs),
or as the `access_token` query parameter. The server always answers with `knowledge.v1`.
"""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable, Sequence
from http import HTTPStatus
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.typing import Subprotocol

from knowledge_kit.auth.principal import Principal, set_current_principal
from knowledge_kit.auth.verifier import TokenVerifier
from knowledge_kit.errors import UnauthenticatedError

SUBPROTOCOL = Subprotocol("knowledge.v1")
TOKEN_SUBPROTOCOL_PREFIX = "bearer."

ConnectionHandler = Callable[[ServerConnection, Principal], Awaitable[None]]


def token_from_request(request: Request) -> str | None:
    """The bearer token a browser sent as subprotocol or query parameter, if any."""
    for header in request.headers.get_all("Sec-WebSocket-Protocol"):
        for offered in header.split(","):
            offered = offered.strip()
            if offered.startswith(TOKEN_SUBPROTOCOL_PREFIX):
                return offered.removeprefix(TOKEN_SUBPROTOCOL_PREFIX)
    tokens = parse_qs(urlsplit(request.path).query).get("access_token")
    return tokens[0] if tokens else None


async def serve_websockets(
    handler: ConnectionHandler,
    verifier: TokenVerifier,
    *,
    host: str = "0.0.0.0",
    port: int = 0,
    ping_interval_seconds: float = 20.0,
    ping_timeout_seconds: float = 20.0,
    max_message_bytes: int = 1 << 20,
    per_message_deflate: bool = False,
) -> Server:
    """Start serving; `handler(connection, principal)` runs per authenticated connection.

    Pings every `ping_interval_seconds`; a peer that does not answer within `ping_timeout_seconds`
    is disconnected. Close the returned server with `server.close(); await server.wait_closed()`.

    Compression (permessage-deflate) is off unless `per_message_deflate`: the messages rooms
    carry are small and latency-bound, and a client that negotiates it compresses every one of
    them (npm `ws` does so on a worker thread before sending, whatever the size), while a
    broadcast would be compressed once per connection here.
    """
    # Weak keys: a connection whose handshake fails after authentication leaves no entry behind.
    principals: weakref.WeakKeyDictionary[ServerConnection, Principal] = weakref.WeakKeyDictionary()

    async def authenticate(connection: ServerConnection, request: Request) -> Response | None:
        token = token_from_request(request)
        if not token:
            return _unauthorized(connection, "missing access token")
        try:
            principals[connection] = await verifier.verify(token)
        except UnauthenticatedError as refused:
            return _unauthorized(connection, refused.message)
        return None

    def choose_subprotocol(
        connection: ServerConnection, offered: Sequence[Subprotocol]
    ) -> Subprotocol | None:
        return SUBPROTOCOL if SUBPROTOCOL in offered else None

    async def run(connection: ServerConnection) -> None:
        principal = principals.pop(connection)
        set_current_principal(principal)
        await handler(connection, principal)

    return await serve(
        run,
        host,
        port,
        process_request=authenticate,
        select_subprotocol=choose_subprotocol,
        ping_interval=ping_interval_seconds,
        ping_timeout=ping_timeout_seconds,
        max_size=max_message_bytes,
        compression="deflate" if per_message_deflate else None,
    )


def _unauthorized(connection: ServerConnection, reason: str) -> Response:
    response = connection.respond(HTTPStatus.UNAUTHORIZED, f"{reason}\n")
    response.headers = Headers({**dict(response.headers.raw_items()), "WWW-Authenticate": "Bearer"})
    return response
