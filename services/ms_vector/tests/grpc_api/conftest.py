"""The service's gRPC server on the test database, and the metadata of its callers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import pytest_asyncio
from knowledge.vector.v1 import vector_service_pb2_grpc

from ms_vector.main import VectorParts, servicers

Metadata = tuple[tuple[str, str], ...]


@pytest_asyncio.fixture
async def channel(
    vector: VectorParts, start_grpc_server: Callable[..., Any]
) -> AsyncIterator[grpc.aio.Channel]:
    """A channel to the servicer the composition root registers, behind the kit's pipeline."""
    running = await start_grpc_server(*servicers(vector))
    async with grpc.aio.insecure_channel(running.target) as connection:
        yield connection


@pytest_asyncio.fixture
async def stub(channel: grpc.aio.Channel) -> vector_service_pb2_grpc.VectorServiceAsyncStub:
    return vector_service_pb2_grpc.VectorServiceStub(channel)


def bearer(token: str) -> Metadata:
    return (("authorization", f"Bearer {token}"),)
