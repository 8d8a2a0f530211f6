"""WebSockets pass through the local edge unchanged, both ways, close codes included."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
import websockets
from websockets.asyncio.server import ServerConnection, serve

from .edge_harness import running_edge


async def upstream_handler(connection: ServerConnection) -> None:
    request = connection.request
    assert request is not None
    await connection.send(f"path={request.path}")
    async for message in connection:
        if message == "close-please":
            await connection.close(code=4401, reason="token expired")
            return
        await connection.send(message)


@pytest.fixture
async def upstream() -> AsyncIterator[str]:
    async with serve(upstream_handler, "127.0.0.1", 0, subprotocols=["y-protocol"]) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"127.0.0.1:{port}"


async def test_messages_path_query_and_subprotocol_pass_through(upstream: str) -> None:
    async with (
        running_edge(websocket_routes={"/ws/canvas/": upstream}) as url,
        aiohttp.ClientSession() as session,
        session.ws_connect(
            url.replace("http", "ws") + "/ws/canvas/canvases/c1?token=abc",
            protocols=["y-protocol"],
        ) as socket,
    ):
        assert socket.protocol == "y-protocol"
        assert (await socket.receive_str()) == "path=/canvases/c1?token=abc"
        await socket.send_bytes(b"\x00\x01\x02")
        assert (await socket.receive_bytes()) == b"\x00\x01\x02"
        await socket.send_str("text frame")
        assert (await socket.receive_str()) == "text frame"


async def test_upstream_close_code_reaches_the_browser(upstream: str) -> None:
    async with (
        running_edge(websocket_routes={"/ws/canvas/": upstream}) as url,
        aiohttp.ClientSession() as session,
        session.ws_connect(
            url.replace("http", "ws") + "/ws/canvas/c1", protocols=["y-protocol"]
        ) as socket,
    ):
        await socket.receive_str()
        await socket.send_str("close-please")
        closing = await socket.receive()
        assert closing.type == aiohttp.WSMsgType.CLOSE
        assert closing.data == 4401


async def test_unknown_service_is_refused_with_the_known_ones_listed(upstream: str) -> None:
    async with (
        running_edge(websocket_routes={"/ws/canvas/": upstream}) as url,
        aiohttp.ClientSession() as session,
    ):
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(url.replace("http", "ws") + "/ws/ms_chat/x")
        assert refused.value.status == 404
    assert websockets.__version__
