"""The edge's aiohttp application: routes for gRPC-web, WebSockets, CORS and the local page, and
beside them, when configured, the plain gRPC pass-through, the local mail sink (SMTP, its
mails at GET /local/mails) and the web app (everything else; the static page moves to /classic)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from fleet.edge.config import EdgeConfig
from fleet.edge.cors import preflight_response
from fleet.edge.grpc_passthrough import grpc_passthrough_server
from fleet.edge.grpc_proxy import GrpcUpstreams, GrpcWebProxy
from fleet.edge.mail_sink import MAILS_PATH, mail_sink, mails_handler
from fleet.edge.origins import AllowedOrigins
from fleet.edge.routes import WEBSOCKET_PATHS
from fleet.edge.web_app_proxy import WebAppProxy, is_grpc_web
from fleet.edge.websocket_proxy import WebSocketProxy, upstream_session

METHOD_PATH = r"/{service:[A-Za-z_][A-Za-z0-9_.]*}/{method:[A-Za-z_][A-Za-z0-9_]*}"
WEBSOCKET_PROXY = web.AppKey("websocket_proxy", WebSocketProxy)
CLASSIC_PAGE_PATH = "/classic"
"""Where the static page answers once the web app has the root."""
HANDLER_CANCELLATION = True
"""Run the edge with this: a browser that goes away cancels its handler, and so its upstream
stream (aiohttp's default keeps a silent server stream open forever)."""


def build_edge(config: EdgeConfig) -> web.Application:
    origins = AllowedOrigins(config.allowed_origins, config.host)
    app = web.Application(
        client_max_size=config.max_request_bytes, middlewares=[origins.middleware()]
    )
    upstreams = GrpcUpstreams(config.grpc_routes)
    grpc_web_proxy = GrpcWebProxy(upstreams)
    web_app = WebAppProxy(config.web_app) if config.web_app is not None else None

    async def lifecycle(app: web.Application) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as running:
            session = upstream_session()
            running.push_async_callback(upstreams.close)
            running.push_async_callback(session.close)
            if web_app is not None:
                running.push_async_callback(web_app.close)
            app[WEBSOCKET_PROXY] = WebSocketProxy(
                config.websocket_routes, session, config.max_websocket_message_bytes
            )
            if config.grpc_port is not None:
                await running.enter_async_context(
                    grpc_passthrough_server(upstreams, config.host, config.grpc_port)
                )
            if config.mail_sink is not None:
                await running.enter_async_context(mail_sink(config.mail_sink, config.host))
            yield

    async def websocket(request: web.Request) -> web.StreamResponse:
        return await request.app[WEBSOCKET_PROXY].handle(request)

    async def preflight(request: web.Request) -> web.Response:
        return preflight_response(request)

    async def health(request: web.Request) -> web.Response:
        return web.json_response({"status": "SERVING"})

    app.cleanup_ctx.append(lifecycle)
    app.router.add_get("/healthz", health)
    app.router.add_get(WEBSOCKET_PATHS + "{tail:.*}", websocket)
    app.router.add_route("OPTIONS", METHOD_PATH, preflight)
    if web_app is None:
        app.router.add_post(METHOD_PATH, grpc_web_proxy.handle)
    else:
        proxy = web_app

        async def grpc_web_or_app(request: web.Request) -> web.StreamResponse:
            if is_grpc_web(request):
                return await grpc_web_proxy.handle(request)
            return await proxy.handle(request)

        app.router.add_post(METHOD_PATH, grpc_web_or_app)
    if config.mail_sink is not None:
        app.router.add_get(MAILS_PATH, mails_handler(config.mail_sink.directory))
    if config.static_dir is not None:
        static_dir = config.static_dir

        async def page(request: web.Request) -> web.FileResponse:
            return web.FileResponse(static_dir / "index.html")

        app.router.add_get("/" if web_app is None else CLASSIC_PAGE_PATH, page)
        app.router.add_static("/static/", static_dir)
    if web_app is not None:
        # Last: whatever no route above answers is the app's (pages, Server Actions, /_next/).
        app.router.add_route("*", "/{tail:.*}", web_app.handle)
    return app
