"""The service's gRPC server on the test database, and the metadata of its callers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

import grpc
import pytest
import pytest_asyncio
from knowledge.chat.v1 import chat_service_pb2_grpc

from ms_chat.main import ChatParts, servicers

if TYPE_CHECKING:  # the async stub exists in the type stubs only
    from knowledge.chat.v1.chat_service_pb2_grpc import ChatServiceAsyncStub

Metadata = tuple[tuple[str, str], ...]


@pytest_asyncio.fixture
async def channel(
    chat: ChatParts, start_grpc_server: Callable[..., Any]
) -> AsyncIterator[grpc.aio.Channel]:
    """A channel to the servicer the composition root registers, behind the kit's pipeline."""
    running = await start_grpc_server(*servicers(chat))
    async with grpc.aio.insecure_channel(running.target) as connection:
        yield connection


@pytest.fixture
def stub(channel: grpc.aio.Channel) -> ChatServiceAsyncStub:
    return chat_service_pb2_grpc.ChatServiceStub(channel)


@pytest.fixture
def as_user(mint_token: Callable[..., str]) -> Callable[[str], Metadata]:
    def metadata(user: str) -> Metadata:
        return bearer(mint_token(user))

    return metadata


def bearer(token: str) -> Metadata:
    return (("authorization", f"Bearer {token}"),)
