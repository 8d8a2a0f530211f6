"""Which web pages may call the edge: its own page and the configured origins, nothing else.

A browser names the calling page in `Origin` on every cross-origin request and on every WebSocket
upgrade; any page a developer visits could otherwise drive the local platform with their sign-in.
A request without `Origin` comes from no page (a script, a server-side caller) and passes.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
"""Names the edge's own page is opened under; fixed, so a rebinding DNS name is not one of them."""


def origin_problem(origin: str) -> str | None:
    """Why `origin` cannot be configured as allowed; None when it is a plain scheme://host[:port]."""
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an origin like http://localhost:3000 ('*' and 'null' are never allowed)"
    if parts.path or parts.query or parts.fragment or parts.username:
        return "has more than scheme://host[:port] (no path, not even a trailing '/')"
    return None


class AllowedOrigins:
    def __init__(self, configured: Iterable[str], host: str) -> None:
        self._configured = frozenset(configured)
        wildcard = host in ("", "0.0.0.0", "::")
        self._own_names = LOOPBACK_NAMES if wildcard else (*LOOPBACK_NAMES, host)

    def allow(self, request: web.Request) -> bool:
        """Whether the page that sent `request` (if any) may call the edge."""
        origin = request.headers.get("Origin")
        return origin is None or origin in self._configured or origin in self._own(request)

    def _own(self, request: web.Request) -> set[str]:
        """The page's origin: the edge's own names at the port this request came in on."""
        socket = request.transport.get_extra_info("sockname") if request.transport else None
        if not socket:
            return set()
        return {f"http://{name}:{socket[1]}" for name in self._own_names}

    def middleware(self) -> Middleware:
        """Refuses (403) any request from a page not allowed, before it reaches a route."""

        @web.middleware
        async def only_allowed_origins(
            request: web.Request, handler: Handler
        ) -> web.StreamResponse:
            if not self.allow(request):
                return web.Response(
                    status=403,
                    text=f"origin {request.headers['Origin']} may not call this edge; "
                    "allow it with `fleet up --allow-origin`\n",
                )
            return await handler(request)

        return only_allowed_origins
