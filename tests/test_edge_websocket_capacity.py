"""The edge relays as many WebSockets as the machine allows, releases each upstream socket when
either side goes away, and refuses an oversized frame before buffering it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from .edge_harness import raw_websocket, running_edge

HELD = 150  # more than an HTTP client's default connection pool (100)
CYCLES = 30
BOUND_SECONDS = 60.0  # keeps a hanging handshake from hanging the test run
MESSAGE_LIMIT = 64 * 1024
BINARY = 0x2
MESSAGE_TOO_BIG = 1009


class Upstream:
    """An echoing WebSocket service that counts the sockets the edge holds open to it."""

    def __init__(self) -> None:
        self.open = 0
        self._changed = asyncio.Condition()
        self.address = ""

    async def echo(self, connection: ServerConnection) -> None:
        async with self._changed:
            self.open += 1
        try:
            async for message in connection:
                await connection.send(message)
        except ConnectionClosed:
            pass
        finally:
            async with self._changed:
                self.open -= 1
                self._changed.notify_all()

    async def until_released(self) -> None:
        """Wait until the edge has closed every socket; fail naming how many stayed open."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(BOUND_SECONDS), self._changed:
                await self._changed.wait_for(lambda: self.open == 0)
        assert self.open == 0, f"the edge still holds {self.open} upstream sockets"


@pytest.fixture
async def upstream() -> AsyncIterator[Upstream]:
    service = Upstream()
    async with serve(service.echo, "127.0.0.1", 0) as server:
        service.address = f"127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"
        yield service


async def echoes(session: aiohttp.ClientSession, url: str) -> str:
    async with session.ws_connect(url) as socket:
        await socket.send_str("still here")
        return await socket.receive_str()


async def test_more_sockets_than_a_connection_pool_pass_and_all_are_released(
    upstream: Upstream,
) -> None:
    unlimited = aiohttp.TCPConnector(limit=0)
    async with (
        running_edge(websocket_routes={"/ws/canvas/": upstream.address}) as url,
        aiohttp.ClientSession(connector=unlimited) as session,
    ):
        target = url.replace("http", "ws") + "/ws/canvas/c1"
        async with asyncio.timeout(BOUND_SECONDS):
            held = [await session.ws_connect(target) for _ in range(HELD)]
            for socket in held:
                await socket.send_str("live")
                assert await socket.receive_str() == "live"
        for socket in held:
            await socket.close()
        await upstream.until_released()
        async with asyncio.timeout(BOUND_SECONDS):
            assert await echoes(session, target) == "still here"
        await upstream.until_released()


async def test_browsers_that_vanish_without_a_close_frame_leave_no_upstream_socket(
    upstream: Upstream,
) -> None:
    async with running_edge(websocket_routes={"/ws/canvas/": upstream.address}) as url:
        for _ in range(CYCLES):
            async with raw_websocket(url, "/ws/canvas/c1") as socket:
                assert socket.status == 101
        await upstream.until_released()


async def test_a_frame_over_the_limit_is_closed_with_1009_before_it_arrives_whole(
    upstream: Upstream,
) -> None:
    async with running_edge(
        websocket_routes={"/ws/canvas/": upstream.address},
        max_websocket_message_bytes=MESSAGE_LIMIT,
    ) as url:
        async with raw_websocket(url, "/ws/canvas/c1") as socket, asyncio.timeout(BOUND_SECONDS):
            # 200 MB announced, a few bytes sent: the edge must not wait for (or keep) the rest.
            socket.send_frame_header(BINARY, 200 * 1024 * 1024)
            socket.writer.write(b"\x00" * 1024)
            assert await socket.close_code() == MESSAGE_TOO_BIG
        await upstream.until_released()
        async with aiohttp.ClientSession() as session, asyncio.timeout(BOUND_SECONDS):
            target = url.replace("http", "ws") + "/ws/canvas/c1"
            assert await echoes(session, target) == "still here"
