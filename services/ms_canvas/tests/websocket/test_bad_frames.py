"""Frames that are not y-websocket messages close that one connection with a close code that
says why; everyone else on the canvas carries on, and the service stays healthy."""

from __future__ import annotations

import websockets
from knowledge_kit.testing.jwks_endpoint import JwksEndpoint
from websockets.exceptions import ConnectionClosed

from ..support.canvas_process import CanvasProcess
from ..support.collaborators import collaborators
from ..support.platform import EDITOR, OWNER, CanvasPlatform, canvas_platform, create_canvas, join

MAX_MESSAGE_BYTES = 65536
BAD_FRAMES: dict[str, tuple[bytes | str, int]] = {
    "garbage bytes": (b"\xff" * 12, 1007),
    "truncated varint": (b"\x00\x02\x85", 1007),
    "byte array longer than the frame": (b"\x00\x02\x40abc", 1007),
    "not a Yjs update": (b"\x00\x02\x05\x07\x07\x07\x07\x07", 1007),
    "not an awareness update": (b"\x01\x04\x01\x01\x01\x09", 1007),
    "unknown message type": (b"\x09\x00", 1003),
    "text frame": ("hello", 1003),
    "huge message": (b"\x00\x02" + b"\x80" * MAX_MESSAGE_BYTES, 1009),
}


async def close_code_after(
    service: CanvasProcess, platform: CanvasPlatform, frame: bytes | str
) -> int | None:
    url = f"{service.websocket_url}/{platform.canvas}"
    protocols = [
        websockets.Subprotocol("knowledge.v1"),
        websockets.Subprotocol(f"bearer.{platform.token(EDITOR)}"),
    ]
    async with websockets.connect(url, subprotocols=protocols, max_size=None) as connection:
        await connection.recv()  # the server's sync step 1
        await connection.send(frame)
        try:
            while True:
                await connection.recv()
        except ConnectionClosed:
            pass
        return connection.close_code


async def test_bad_frames_close_only_their_connection(
    postgres_url: str, kafka_bootstrap: str, jwks_endpoint: JwksEndpoint
) -> None:
    async with canvas_platform(
        postgres_url,
        kafka_bootstrap,
        jwks_endpoint,
        websocket_max_message_bytes=str(MAX_MESSAGE_BYTES),
    ) as platform:
        service = await platform.start_canvas_service()
        await create_canvas(platform, service)
        async with collaborators() as clients:
            await join(clients, platform, service.websocket_url, ("alice", OWNER), ("bob", EDITOR))

            codes = {
                case: await close_code_after(service, platform, frame)
                for case, (frame, _) in BAD_FRAMES.items()
            }

            assert codes == {case: code for case, (_, code) in BAD_FRAMES.items()}
            await clients.call("alice", "putNode", "still-here", {"x": 1})
            await clients.call("bob", "waitForNodes", ["still-here"])
            assert await clients.call("alice", "closeCodes") == []
            assert await clients.call("bob", "closeCodes") == []
