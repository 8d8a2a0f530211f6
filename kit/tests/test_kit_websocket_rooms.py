"""WebSocket connections: authenticated before upgrade, rooms, and slow clients kept bounded."""

from __future__ import annotations

import asyncio
import os

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.typing import Subprotocol

from knowledge_kit.testing import JwksEndpoint
from knowledge_kit.websocket import SUBPROTOCOL, RoomHub, SlowClientPolicy
from knowledge_kit.websocket.hub import RoomMember

from .websocket_support import chat_server


def _protocols(token: str) -> list[Subprotocol]:
    return [SUBPROTOCOL, Subprotocol(f"bearer.{token}")]


async def test_connect_is_refused_before_the_upgrade_without_a_valid_token(
    jwks_endpoint: JwksEndpoint,
) -> None:
    async with chat_server(jwks_endpoint, RoomHub()) as url:
        for attempt in (
            {"uri": url},
            {"uri": f"{url}?access_token=forged", "subprotocols": [SUBPROTOCOL]},
            {"uri": url, "subprotocols": _protocols(jwks_endpoint.mint(ttl_seconds=-300))},
        ):
            with pytest.raises(InvalidStatus) as refused:
                async with connect(**attempt):
                    pass
            assert refused.value.response.status_code == 401


async def test_token_by_subprotocol_or_query_reaches_the_handler_as_its_principal(
    jwks_endpoint: JwksEndpoint,
) -> None:
    async with chat_server(jwks_endpoint, RoomHub()) as url:
        token = jwks_endpoint.mint("users/alice")
        async with connect(url, subprotocols=_protocols(token)) as by_protocol:
            assert by_protocol.subprotocol == SUBPROTOCOL
            assert await by_protocol.recv() == "welcome users/alice"
        async with connect(f"{url}?access_token={jwks_endpoint.mint('users/bob')}") as by_query:
            assert await by_query.recv() == "welcome users/bob"


async def test_compression_is_negotiated_only_when_the_server_asks_for_it(
    jwks_endpoint: JwksEndpoint,
) -> None:
    # The client offers permessage-deflate, as browsers and npm `ws` do.
    for per_message_deflate in (False, True):
        hub = RoomHub()
        async with chat_server(jwks_endpoint, hub, per_message_deflate=per_message_deflate) as url:
            token = jwks_endpoint.mint("users/alice")
            async with connect(
                url, subprotocols=_protocols(token), compression="deflate"
            ) as client:
                assert client.response is not None
                agreed = client.response.headers.get("Sec-WebSocket-Extensions", "")
                assert agreed.startswith("permessage-deflate") is per_message_deflate
                assert await client.recv() == "welcome users/alice"


async def _join(url: str, endpoint: JwksEndpoint, who: str, room: str) -> ClientConnection:
    client = await connect(url, subprotocols=_protocols(endpoint.mint(who)))
    assert await client.recv() == f"welcome {who}"
    await client.send(f"join {room}")
    assert await client.recv() == f"joined {room}"
    return client


async def test_a_message_reaches_every_member_of_its_room_and_nobody_else(
    jwks_endpoint: JwksEndpoint,
) -> None:
    async with chat_server(jwks_endpoint, RoomHub()) as url:
        alice = await _join(url, jwks_endpoint, "users/alice", "canvases/1")
        bob = await _join(url, jwks_endpoint, "users/bob", "canvases/1")
        carol = await _join(url, jwks_endpoint, "users/carol", "canvases/2")
        await alice.send("say canvases/1 hello")
        assert await bob.recv() == "users/alice: hello"
        assert await alice.recv() == "users/alice: hello"
        await carol.send("say canvases/2 alone")
        assert await carol.recv() == "users/carol: alone"
        for client in (alice, bob, carol):
            await client.close()


async def _flood_until_full(hub: RoomHub, member: RoomMember, room: str) -> int:
    """Broadcast large frames to a client that does not read until its queue overflows."""
    frame = os.urandom(512 * 1024)  # incompressible: permessage-deflate cannot shrink it
    sent = 0
    while member.dropped == 0 and sent < 500:
        hub.broadcast(room, frame)
        sent += 1
        assert member.queued <= hub.queue_size
        await asyncio.sleep(0.001)
    return sent


@pytest.mark.parametrize("policy", [SlowClientPolicy.DISCONNECT, SlowClientPolicy.DROP])
async def test_a_client_that_stops_reading_is_dropped_or_disconnected_never_buffered_forever(
    jwks_endpoint: JwksEndpoint, policy: SlowClientPolicy
) -> None:
    hub = RoomHub(queue_size=4, policy=policy)
    members: list[RoomMember] = []
    async with chat_server(jwks_endpoint, hub, members) as url:
        slow = await connect(url, subprotocols=_protocols(jwks_endpoint.mint()), max_size=None)
        assert await slow.recv() == "welcome users/alice"
        await slow.send("join canvases/1")
        assert await slow.recv() == "joined canvases/1"
        slow.transport.pause_reading()  # the client stops reading, as a stalled browser tab does
        sent = await _flood_until_full(hub, members[0], "canvases/1")
        assert members[0].dropped >= 1
        slow.transport.resume_reading()
        received = 0
        with (
            pytest.raises(ConnectionClosed)
            if policy is SlowClientPolicy.DISCONNECT
            else _no_error()
        ):
            async with asyncio.timeout(20):
                while received < sent - members[0].dropped:
                    await slow.recv()
                    received += 1
        if policy is SlowClientPolicy.DISCONNECT:
            assert slow.close_code == 1013
            assert received < sent
        else:
            assert received == sent - members[0].dropped
            await slow.close()


class _no_error:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
