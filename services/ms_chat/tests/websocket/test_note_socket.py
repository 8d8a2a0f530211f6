"""The example over a real WebSocket connection, authenticated the way browsers do it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio
from knowledge_kit.rpc import token_verifier
from knowledge_kit.websocket import SUBPROTOCOL, serve_websockets
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus
from websockets.typing import Subprotocol

from ms_chat.server.notes_socket import NoteSocket
from ms_chat.service.notes import NoteUseCases


@pytest_asyncio.fixture
async def socket_url(service_settings: Any, note_use_cases: NoteUseCases) -> AsyncIterator[str]:
    server = await serve_websockets(
        NoteSocket(note_use_cases), token_verifier(service_settings), host="127.0.0.1", port=0
    )
    port = next(iter(server.sockets)).getsockname()[1]
    try:
        yield f"ws://127.0.0.1:{port}"
    finally:
        server.close()
        await server.wait_closed()


async def test_a_note_is_read_over_the_socket_and_mistakes_are_answered(
    socket_url: str, note_use_cases: NoteUseCases, mint_token: Callable[..., str]
) -> None:
    note = await note_use_cases.create_note("", "Plan", "first steps")
    offered = [SUBPROTOCOL, Subprotocol(f"bearer.{mint_token()}")]
    async with connect(socket_url, subprotocols=offered) as socket:
        await socket.send(json.dumps({"get": note.name}))
        assert json.loads(await socket.recv()) == {
            "note": {"name": note.name, "title": "Plan", "body": "first steps", "etag": note.etag}
        }
        await socket.send("plan")
        assert json.loads(await socket.recv())["error"]["code"] == "invalid_argument"
        await socket.send(json.dumps({"get": "notes/" + "0" * 32}))
        assert json.loads(await socket.recv())["error"]["code"] == "not_found"


async def test_a_connection_without_a_token_is_refused(socket_url: str) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(socket_url, subprotocols=[SUBPROTOCOL]):
            pass
    assert refused.value.response.status_code == 401
