"""A client that stops reading is disconnected (1013, try again later) once too much waits
for it, instead of being buffered for forever; everyone else keeps receiving."""

from __future__ import annotations

import asyncio
from typing import Any

import pycrdt
import websockets
from knowledge_kit.testing.jwks_endpoint import JwksEndpoint
from websockets.exceptions import ConnectionClosed

from ms_canvas.server.yjs.messages import sync_update

from ..support.collaborators import collaborators
from ..support.platform import EDITOR, VIEWER, canvas_platform, create_canvas, join

NODES = 300
LABEL = "x" * 65536  # 300 updates of 64 KiB: far more than the socket buffers hold
CHUNK = 3


def big_updates() -> list[bytes]:
    doc: pycrdt.Doc[Any] = pycrdt.Doc()
    nodes = doc.get("nodes", type=pycrdt.Map)
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    for index in range(NODES):
        nodes[f"n{index}"] = pycrdt.Map({"label": LABEL})
    return updates


async def test_a_client_that_stops_reading_is_disconnected(
    postgres_url: str, kafka_bootstrap: str, jwks_endpoint: JwksEndpoint
) -> None:
    async with canvas_platform(
        postgres_url, kafka_bootstrap, jwks_endpoint, websocket_send_buffer_bytes="262144"
    ) as platform:
        service = await platform.start_canvas_service()
        await create_canvas(platform, service)
        url = f"{service.websocket_url}/{platform.canvas}"

        def protocols(user: str) -> list[websockets.Subprotocol]:
            return [
                websockets.Subprotocol("knowledge.v1"),
                websockets.Subprotocol(f"bearer.{platform.token(user)}"),
            ]

        async with (
            collaborators() as clients,
            websockets.connect(url, subprotocols=protocols(VIEWER), max_queue=1) as stalled,
            websockets.connect(url, subprotocols=protocols(EDITOR), max_size=None) as writer,
        ):
            await join(clients, platform, service.websocket_url, ("bob", EDITOR))
            # At the pace a reading client follows (a writer flooding faster than anyone can
            # read would rightly get every reader disconnected): bob sees each chunk first.
            updates = big_updates()
            for first in range(0, NODES, CHUNK):
                for update in updates[first : first + CHUNK]:
                    await writer.send(sync_update(update))
                await clients.call(
                    "bob", "waitForNodes", [f"n{i}" for i in range(first + CHUNK)], 60000
                )

            try:  # now it reads: what was sent before the disconnect, then the close frame
                async with asyncio.timeout(30):
                    while True:
                        await stalled.recv()
            except ConnectionClosed:
                pass
            assert stalled.close_code == 1013
            assert await clients.call("bob", "closeCodes") == []
