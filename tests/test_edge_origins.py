"""Only the edge's own page and the configured origins may call it from a browser: a page
elsewhere (or a sandboxed one, `null`) gets no CORS allowance and no WebSocket."""

from __future__ import annotations

import re
import struct
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from fleet.edge.config import load_edge_config
from fleet.errors import FleetError
from websockets.asyncio.server import ServerConnection, serve

from .edge_harness import raw_websocket, running_edge

CONFIGURED = "http://localhost:3000"
FOREIGN = ("http://evil.example", "null", "http://localhost:3001")
HEALTH_CHECK = "/grpc.health.v1.Health/Check"
EMPTY_MESSAGE = struct.pack(">BI", 0, 0)


async def silent(connection: ServerConnection) -> None:
    await connection.wait_closed()


@pytest.fixture
async def edge() -> AsyncIterator[str]:
    async with serve(silent, "127.0.0.1", 0) as server:
        upstream = f"127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"
        async with running_edge(
            # Nothing listens on port 9: a call that got through would fail UNAVAILABLE, not 403.
            grpc_routes={"grpc.health.v1": "127.0.0.1:9"},
            websocket_routes={"/ws/canvas/": upstream},
            allowed_origins=[CONFIGURED],
        ) as url:
            yield url


def own_origins(edge: str) -> list[str]:
    port = edge.rsplit(":", 1)[1]
    return [edge, f"http://localhost:{port}"]


async def preflight(edge: str, origin: str) -> aiohttp.ClientResponse:
    async with aiohttp.ClientSession() as session:
        response = await session.options(
            edge + HEALTH_CHECK,
            headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
        )
        await response.read()
        return response


async def grpc_web_call(edge: str, origin: str) -> aiohttp.ClientResponse:
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            edge + HEALTH_CHECK,
            data=EMPTY_MESSAGE,
            headers={"Origin": origin, "Content-Type": "application/grpc-web+proto"},
        )
        await response.read()
        return response


@pytest.mark.parametrize("origin", FOREIGN)
async def test_a_foreign_page_gets_no_cors_allowance_and_its_calls_are_refused(
    edge: str, origin: str
) -> None:
    for response in (await preflight(edge, origin), await grpc_web_call(edge, origin)):
        assert response.status == 403
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize("origin", FOREIGN)
async def test_a_foreign_page_cannot_open_a_websocket(edge: str, origin: str) -> None:
    async with raw_websocket(edge, "/ws/canvas/c1", origin=origin) as socket:
        assert socket.status == 403


async def test_the_edges_own_page_and_the_configured_origin_may_call_and_connect(
    edge: str,
) -> None:
    for origin in (*own_origins(edge), CONFIGURED):
        allowed = await preflight(edge, origin)
        assert allowed.status == 204
        assert allowed.headers["Access-Control-Allow-Origin"] == origin
        called = await grpc_web_call(edge, origin)
        assert called.status == 200
        assert called.headers["Access-Control-Allow-Origin"] == origin
        async with raw_websocket(edge, "/ws/canvas/c1", origin=origin) as socket:
            assert socket.status == 101


async def test_callers_that_are_no_page_send_no_origin_and_pass(edge: str) -> None:
    async with raw_websocket(edge, "/ws/canvas/c1") as socket:
        assert socket.status == 101


@pytest.mark.parametrize("origin", ["*", "null", "localhost:3000", "http://localhost:3000/"])
def test_a_wildcard_or_malformed_allowed_origin_is_refused_naming_it(
    tmp_path: Path, origin: str
) -> None:
    config = tmp_path / "edge.json"
    config.write_text(f'{{"port": 0, "grpc_routes": {{}}, "allowed_origins": ["{origin}"]}}')
    with pytest.raises(FleetError, match=re.escape(f"allowed_origins: Value error, '{origin}' ")):
        load_edge_config(config)
