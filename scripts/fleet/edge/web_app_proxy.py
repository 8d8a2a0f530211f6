"""The web app behind the edge: every request that is not gRPC-web, a WebSocket or the classic
page goes to the Next.js server, streamed both ways, with the browser's Host kept (Server Actions
compare it with Origin) and X-Forwarded-* telling the app how the browser reached it."""

from __future__ import annotations

import aiohttp
from aiohttp import web
from multidict import CIMultiDict

HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
GRPC_WEB_CONTENT_TYPE = "application/grpc-web"


def is_grpc_web(request: web.Request) -> bool:
    """gRPC-web calls share their path shape (/a.b.Service/Method) with the app's pages."""
    return request.headers.get("Content-Type", "").startswith(GRPC_WEB_CONTENT_TYPE)


class WebAppProxy:
    def __init__(self, upstream: str) -> None:
        self._base = f"http://{upstream}"
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None:
            # No cap on connections to the app: each browser request holds one while its answer
            # streams, and a capped pool made every later page and Server Action wait for ever
            # once a hundred were streaming at once.
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=0),
                auto_decompress=False,
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=5),
            )
        return self._session

    async def handle(self, request: web.Request) -> web.StreamResponse:
        headers = CIMultiDict(
            (name, value)
            for name, value in request.headers.items()
            if name.lower() not in HOP_BY_HOP
        )
        peer = request.remote or ""
        forwarded_for = request.headers.get("X-Forwarded-For")
        headers["X-Forwarded-For"] = f"{forwarded_for}, {peer}" if forwarded_for else peer
        headers["X-Forwarded-Proto"] = request.scheme
        headers["X-Forwarded-Host"] = request.host
        try:
            upstream = await self._client().request(
                request.method,
                self._base + request.rel_url.raw_path_qs,
                headers=headers,
                data=request.content if request.body_exists else None,
                allow_redirects=False,
            )
        except aiohttp.ClientError:
            return web.Response(status=502, text="the web app is not answering; is it running?\n")
        async with upstream:
            response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
            for name, value in upstream.headers.items():
                if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                    response.headers.add(name, value)
            if upstream.content_length is not None:
                response.content_length = upstream.content_length
            await response.prepare(request)
            async for chunk in upstream.content.iter_any():
                await response.write(chunk)
            await response.write_eof()
            return response
