"""An echoing WebSocket service as a process of its own, for benchmarks that put the edge in front
of it: prints its port, serves until SIGTERM, and answers GET /open with how many sockets it holds.

    .venv/bin/python benchmarks/echo_upstream.py
"""

from __future__ import annotations

import asyncio
import signal
from http import HTTPStatus

from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

OPEN_PATH = "/open"
LOOPBACK = "127.0.0.1"
BACKLOG = 1024  # handshakes arrive in bursts; the default (100) would drop some under load


class EchoUpstream:
    """Sends every message back on the socket it came from, counting the sockets open."""

    def __init__(self) -> None:
        self.open = 0

    async def echo(self, connection: ServerConnection) -> None:
        self.open += 1
        try:
            async for message in connection:
                await connection.send(message)
        except ConnectionClosed:
            pass  # a socket that breaks is as released as one that closes
        finally:
            self.open -= 1

    def answer_open(self, connection: ServerConnection, request: Request) -> Response | None:
        """GET /open, a plain HTTP request, is answered with the count instead of an upgrade."""
        if request.path == OPEN_PATH:
            return connection.respond(HTTPStatus.OK, f"{self.open}\n")
        return None


async def serve_until_stopped() -> None:
    upstream = EchoUpstream()
    stopped = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stopped.set)
    async with serve(
        upstream.echo, LOOPBACK, 0, process_request=upstream.answer_open, backlog=BACKLOG
    ) as server:
        print(next(iter(server.sockets)).getsockname()[1], flush=True)
        await stopped.wait()


if __name__ == "__main__":
    asyncio.run(serve_until_stopped())
