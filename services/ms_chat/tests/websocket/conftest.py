"""The chat's WebSocket endpoint as the composition root wires it, on a loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
import pytest_asyncio
from knowledge_kit.rpc import token_verifier
from knowledge_kit.websocket import SUBPROTOCOL, serve_websockets
from websockets.asyncio.server import Server
from websockets.typing import Subprotocol

from ms_chat.config import Settings
from ms_chat.main import ChatParts, chat_socket

# Small, so that a client that stops reading is found out after few frames.
QUEUE_SIZE = 16


@pytest_asyncio.fixture
async def socket_server(service_settings: Any, chat: ChatParts) -> AsyncIterator[Server]:
    settings = Settings(websocket_queue_size=QUEUE_SIZE)
    server = await serve_websockets(
        chat_socket(settings, chat),
        token_verifier(service_settings),
        host="127.0.0.1",
        port=0,
        max_message_bytes=settings.websocket_max_message_bytes,
    )
    try:
        yield server
    finally:
        server.close()
        await server.wait_closed()


@pytest.fixture
def socket_url(socket_server: Server) -> str:
    port = next(iter(socket_server.sockets)).getsockname()[1]
    return f"ws://127.0.0.1:{port}"


@pytest.fixture
def offered(mint_token: Callable[..., str]) -> Callable[[str], list[Subprotocol]]:
    """The subprotocols a browser offers for `user`: knowledge.v1 and its bearer token."""

    def protocols(user: str) -> list[Subprotocol]:
        return [SUBPROTOCOL, Subprotocol(f"bearer.{mint_token(user)}")]

    return protocols
