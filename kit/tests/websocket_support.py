"""A room chat handler for the kit's WebSocket tests: `join <room>` and `say <room> <text>`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from websockets.asyncio.server import ServerConnection

from knowledge_kit.auth import Principal
from knowledge_kit.auth.jwks import JwksKeySet
from knowledge_kit.auth.verifier import TokenVerifier
from knowledge_kit.testing import JwksEndpoint
from knowledge_kit.websocket import RoomHub, serve_websockets
from knowledge_kit.websocket.hub import RoomMember


def room_chat(hub: RoomHub, members: list[RoomMember]):  # type: ignore[no-untyped-def]
    async def handle(connection: ServerConnection, principal: Principal) -> None:
        member = hub.member(connection, principal)
        members.append(member)
        member.offer(f"welcome {principal.name}")
        try:
            async for message in connection:
                verb, _, rest = str(message).partition(" ")
                if verb == "join":
                    hub.join(rest, member)
                    member.offer(f"joined {rest}")
                elif verb == "say":
                    room, _, text = rest.partition(" ")
                    hub.broadcast(room, f"{principal.name}: {text}")
        finally:
            await hub.leave_all(member)

    return handle


@asynccontextmanager
async def chat_server(
    endpoint: JwksEndpoint,
    hub: RoomHub,
    members: list[RoomMember] | None = None,
    *,
    per_message_deflate: bool = False,
) -> AsyncIterator[str]:
    verifier = TokenVerifier(
        JwksKeySet(endpoint.url), issuer=endpoint.issuer, audience=endpoint.audience
    )
    server = await serve_websockets(
        room_chat(hub, members if members is not None else []),
        verifier,
        host="127.0.0.1",
        per_message_deflate=per_message_deflate,
    )
    port = next(iter(server.sockets)).getsockname()[1]
    try:
        yield f"ws://127.0.0.1:{port}/"
    finally:
        server.close()
        await server.wait_closed()
