"""A server-streaming call the way a browser makes it: gRPC-web over HTTP through the local edge."""

from __future__ import annotations

import struct
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeVar

import aiohttp
from google.protobuf.message import Message

CONTENT_TYPE = "application/grpc-web+proto"
FRAME_HEADER = struct.Struct(">BI")
TRAILER_FLAG = 0x80

ResponseT = TypeVar("ResponseT", bound=Message)


class GrpcWebStream:
    """The response of one gRPC-web call, read frame by frame as the server sends them."""

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self.response = response
        self.trailers: dict[str, str] = {}

    async def next_message(self, message_class: type[ResponseT]) -> ResponseT | None:
        """The next message, or None once the trailers (the call's status) arrived."""
        flags, length = FRAME_HEADER.unpack(
            await self.response.content.readexactly(FRAME_HEADER.size)
        )
        payload = await self.response.content.readexactly(length)
        if flags & TRAILER_FLAG:
            for line in payload.decode().split("\r\n"):
                if line:
                    key, _, value = line.partition(":")
                    self.trailers[key.strip().lower()] = value.strip()
            return None
        return message_class.FromString(payload)


@asynccontextmanager
async def grpc_web_call(
    base_url: str, method: str, request: Message, *, token: str
) -> AsyncIterator[GrpcWebStream]:
    """POST `request` to `/{package.Service}/{Method}` as a browser's gRPC-web client does."""
    body = FRAME_HEADER.pack(0, request.ByteSize()) + request.SerializeToString()
    headers = {
        "Content-Type": CONTENT_TYPE,
        "X-Grpc-Web": "1",
        "Authorization": f"Bearer {token}",
    }
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{base_url}{method}", data=body, headers=headers) as response,
    ):
        yield GrpcWebStream(response)
