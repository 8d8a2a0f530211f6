"""WebSocket pass-through by the route table: <path_prefix><rest> on the edge ↔
ws://<upstream><rewrite><rest>, the path a cluster's ingress sends the service too.

Each browser socket holds exactly one upstream socket, closed whenever the browser's ends: closed,
vanished (its handler is cancelled) or broken. No pool limit applies to them: a connection pool
counts sockets that live as long as a browser tab, not requests.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence

import aiohttp
from aiohttp import WSMsgType, web

from fleet.edge.config import WebSocketUpstream

GOING_AWAY = 1001
UPSTREAM_UNAVAILABLE = 1014  # "bad gateway" for WebSockets (RFC 6455 registry)


def upstream_session() -> aiohttp.ClientSession:
    """The client session upstream sockets are opened with: no cap on how many are open at once."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))


class WebSocketProxy:
    def __init__(
        self,
        routes: Sequence[WebSocketUpstream],
        session: aiohttp.ClientSession,
        max_message_bytes: int,
    ) -> None:
        # Longest prefix first, so a nested prefix wins over the one it is nested in.
        self._routes = sorted(routes, key=lambda route: len(route.path_prefix), reverse=True)
        self._session = session
        self._max_message_bytes = max_message_bytes

    def _route(self, path: str) -> WebSocketUpstream | None:
        return next((r for r in self._routes if path.startswith(r.path_prefix)), None)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.rel_url.raw_path
        route = self._route(path)
        if route is None:
            known = ", ".join(sorted(r.path_prefix for r in self._routes)) or "none"
            return web.Response(
                status=404, text=f"no WebSocket route for {path} (known: {known})\n"
            )
        offered = [
            p.strip()
            for p in request.headers.get("Sec-WebSocket-Protocol", "").split(",")
            if p.strip()
        ]
        target = f"ws://{route.upstream}{route.upstream_path(path[len(route.path_prefix) :])}"
        if request.query_string:
            target += f"?{request.query_string}"
        try:
            upstream = await self._session.ws_connect(
                target,
                protocols=offered,
                autoping=True,
                # The service enforces its own limit on what it receives, and may send more.
                max_msg_size=0,
                headers=_forwarded_headers(request),
            )
        except (aiohttp.ClientError, OSError) as exc:
            return web.Response(status=502, text=f"{route.upstream} refused the WebSocket: {exc}\n")
        # Closed on every way out, cancellation included: a browser that vanishes cancels us.
        async with upstream:
            browser = web.WebSocketResponse(
                protocols=[upstream.protocol] if upstream.protocol else (),
                # Checked on each frame's header: an oversized frame is refused (1009) unread.
                max_msg_size=self._max_message_bytes,
                autoping=True,
            )
            await browser.prepare(request)
            await _pump_both_ways(browser, upstream)
            return browser


def _forwarded_headers(request: web.Request) -> dict[str, str]:
    headers = {"X-Forwarded-For": request.remote or ""}
    for name in ("Authorization", "Origin", "X-Request-Id", "traceparent"):
        if name in request.headers:
            headers[name] = request.headers[name]
    return headers


async def _pump_both_ways(
    browser: web.WebSocketResponse, upstream: aiohttp.ClientWebSocketResponse
) -> None:
    to_upstream = asyncio.create_task(_pump(browser, upstream))
    to_browser = asyncio.create_task(_pump(upstream, browser))
    try:
        done, _ = await asyncio.wait({to_upstream, to_browser}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (to_upstream, to_browser):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
    # Whoever closed first decides the close code the other side sees.
    code = upstream.close_code if to_browser in done else browser.close_code
    code = code or GOING_AWAY
    if not browser.closed:
        await browser.close(code=code)
    if not upstream.closed:
        await upstream.close(code=code)


async def _pump(
    source: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
    sink: web.WebSocketResponse | aiohttp.ClientWebSocketResponse,
) -> None:
    async for message in source:
        if sink.closed:
            return
        if message.type == WSMsgType.BINARY:
            await sink.send_bytes(message.data)
        elif message.type == WSMsgType.TEXT:
            await sink.send_str(message.data)
        elif message.type in (WSMsgType.CLOSE, WSMsgType.ERROR):
            return
