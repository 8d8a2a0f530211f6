"""Running the local edge on an ephemeral port for tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from aiohttp import web
from fleet.edge.app import HANDLER_CANCELLATION, build_edge
from fleet.edge.config import EdgeConfig


@contextlib.asynccontextmanager
async def running_edge(
    grpc_routes: dict[str, str] | None = None,
    websocket_routes: dict[str, str] | None = None,
    allowed_origins: list[str] | None = None,
) -> AsyncIterator[str]:
    """Start the edge on 127.0.0.1:<free port>; yields its base URL."""
    config = EdgeConfig(
        port=0,
        grpc_routes=grpc_routes or {},
        websocket_routes=websocket_routes or {},
        allowed_origins=allowed_origins or ["*"],
    )
    runner = web.AppRunner(build_edge(config), handler_cancellation=HANDLER_CANCELLATION)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()
