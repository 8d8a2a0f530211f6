"""A client that never reads is closed with 1013 (try again later) once its bounded queue is
full, instead of being buffered for forever; the service keeps serving everyone else.

The close frame goes out behind what was written before it, so the client learns the code when it
reads again: within the closing handshake's timeout (10 s), after which the server drops it."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import Server
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from ms_chat.main import ChatParts

from ..support import ADA, Platform

QUESTION = "Where do new employees get their laptop?"
CLOSE_DEADLINE_SECONDS = 30
"""How long the client asks before the server must have closed it: what fills the server's socket
buffers before its queue varies (on two busy cores most resumes are refused while four answers
stream, and 600 of them once all fit), and short of the server's keepalive (20 s pings, 20 s to
answer), which drops a client that reads nothing (1011) whether it asks or not."""


def open_on_server(server: Server, client: ClientConnection) -> bool:
    """Whether the server holds `client`'s connection open (has not begun to close it)."""
    return any(held.remote_address == client.local_address for held in server.connections)


async def ask_until_closed(server: Server, client: ClientConnection, request: str) -> int:
    """Sends `request` again and again, reading nothing, until the server begins to close the
    connection (or the deadline); how many were sent."""
    deadline = asyncio.get_running_loop().time() + CLOSE_DEADLINE_SECONDS
    sent = 0
    try:
        while open_on_server(server, client) and asyncio.get_running_loop().time() < deadline:
            await client.send(request)
            sent += 1
            if sent % 4 == 0:
                await asyncio.sleep(0.01)  # the four a connection may stream at once
    except ConnectionClosed:
        pass
    return sent


def widen_receive_buffer(client: ClientConnection) -> None:
    """Gives `client`'s socket a receive buffer of 1 MiB."""
    client.transport.get_extra_info("socket").setsockopt(
        socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20
    )


def small_socket(url: str) -> socket.socket:
    """A client socket whose receive buffer holds little, as a stalled phone's would."""
    host, port = url.removeprefix("ws://").split(":")
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect((host, int(port)))
    raw.setblocking(False)
    return raw


async def test_a_client_that_never_reads_is_closed_and_others_are_served(
    socket_server: Server,
    socket_url: str,
    chat: ChatParts,
    platform: Platform,
    offered: Callable[[str], list[Subprotocol]],
) -> None:
    await platform.handbook_and_finance()
    conversation = (await chat.conversations.create(ADA, ADA, "", ())).name
    ask = json.dumps({"type": "ask", "parent": conversation, "content": QUESTION})
    async with connect(socket_url, subprotocols=offered(ADA)) as reader:
        await reader.send(ask)
        while "answer" not in (frame := json.loads(await reader.recv())):
            pass
        answer = frame["answer"]["name"]
        replay = json.dumps({"type": "resume", "parent": conversation, "resumeAnswer": answer})

        async with connect(
            socket_url,
            subprotocols=offered(ADA),
            sock=small_socket(socket_url),
            max_queue=1,
            ping_interval=None,  # reading nothing, it would never see the pong
        ) as stalled:
            # It asks for the whole answer again and again, reading nothing.
            sent = await ask_until_closed(socket_server, stalled, replay)
            assert not open_on_server(socket_server, stalled), (
                f"the server kept a client that read nothing open after {sent} requests for a "
                f"whole answer in {CLOSE_DEADLINE_SECONDS}s"
            )
            # Now it reads, as a phone that comes back does, with room to read: with its small
            # buffer the sender waits for each few kilobytes to be acknowledged (delayed ACKs,
            # ~40 ms), and what was sent before the close took over 30 s to read on busy cores.
            widen_receive_buffer(stalled)
            try:  # what was sent before the close, then the close frame
                async with asyncio.timeout(30):
                    while True:
                        await stalled.recv()
            except ConnectionClosed:
                pass
            assert stalled.close_code == 1013

        await reader.send(ask)
        while "answer" not in (frame := json.loads(await reader.recv())):
            pass
        assert frame["answer"]["status"] == "ANSWER_STATUS_COMPLETE"
