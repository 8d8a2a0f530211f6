"""Whole binary frames written straight to one client's socket, bounded by bytes in flight.

A canvas sends every update and presence change to every connection on it: 100 viewers at 200
updates/s are 20,000 frames a second. Queuing each frame for a sender task and sending it
through `websockets`' `send()` (a context manager, a drain and per-connection compression per
frame) used up the process at a fraction of that. Here a frame is built once per broadcast and
written to each socket without a task switch. Frames go uncompressed (RSV1 clear): the service
does not negotiate permessage-deflate, and Yjs updates are compact binary already.

What a client has not read yet stays in its socket's write buffer; past `max_buffered_bytes`
the client is disconnected (1013, try again later) rather than buffered forever, and its
y-websocket provider reconnects and resynchronizes.
"""

from __future__ import annotations

import asyncio
import struct

import structlog
from websockets.asyncio.server import ServerConnection
from websockets.frames import CloseCode
from websockets.protocol import State

_log = structlog.get_logger("ms_canvas.frames")
FIN_BINARY = 0x82


def binary_frame(payload: bytes) -> bytes:
    """An unmasked, unfragmented binary WebSocket frame (RFC 6455 5.2), as servers send them."""
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", FIN_BINARY, length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", FIN_BINARY, 126, length)
    else:
        header = struct.pack("!BBQ", FIN_BINARY, 127, length)
    return header + payload


class FrameSender:
    """Sends one connection its frames in the order they are offered; never blocks."""

    def __init__(self, connection: ServerConnection, *, max_buffered_bytes: int) -> None:
        self._connection = connection
        self._protocol = connection.protocol
        self._transport = connection.transport
        self._max_buffered = max_buffered_bytes
        self._closing: asyncio.Task[None] | None = None

    def send(self, message: bytes) -> bool:
        """Send one y-websocket message; False if the client is gone or was too slow."""
        return self.send_frame(binary_frame(message))

    def send_frame(self, frame: bytes) -> bool:
        """Send a frame built with `binary_frame` (build it once, send it to many)."""
        # Called once per connection per broadcast: attributes are looked up once, in __init__.
        if self._closing is not None or self._protocol.state is not State.OPEN:
            return False
        transport = self._transport
        buffered = transport.get_write_buffer_size()
        if buffered > self._max_buffered:
            _log.warning("canvas_slow_client_disconnected", buffered=buffered)
            self._closing = asyncio.create_task(
                self._connection.close(CloseCode.TRY_AGAIN_LATER, "too slow to keep up")
            )
            return False
        transport.write(frame)
        return True

    async def disconnect(self, reason: str) -> None:
        """Close the connection with 1008 (policy violation): the canvas is gone."""
        await self._connection.close(CloseCode.POLICY_VIOLATION, reason)
