"""A client that never reads is closed with 1013 (try again later) once its bounded queue is
full, instead of being buffered for forever; the service keeps serving everyone else."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

from ms_chat.main import ChatParts

from ..support import ADA, Platform

QUESTION = "Where do new employees get their laptop?"
MAX_RESUMES = 600


def small_socket(url: str) -> socket.socket:
    """A client socket whose receive buffer holds little, as a stalled phone's would."""
    host, port = url.removeprefix("ws://").split(":")
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect((host, int(port)))
    raw.setblocking(False)
    return raw


async def test_a_client_that_never_reads_is_closed_and_others_are_served(
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
            socket_url, subprotocols=offered(ADA), sock=small_socket(socket_url), max_queue=1
        ) as stalled:
            try:  # it asks for the whole answer again and again, reading nothing
                for sent in range(MAX_RESUMES):
                    await stalled.send(replay)
                    if sent % 4 == 3:
                        await asyncio.sleep(0.01)  # the four a connection may stream at once
            except ConnectionClosed:
                pass
            try:  # now it reads: what was sent before the close, then the close frame
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
