"""The service's gRPC server on the test databases, and the metadata of its callers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import pytest_asyncio
from knowledge.activity.v1 import activity_service_pb2_grpc

from ms_activity.config import Settings
from ms_activity.main import ActivityParts, servicers

Metadata = tuple[tuple[str, str], ...]


@pytest_asyncio.fixture
async def channel(
    parts: ActivityParts, start_grpc_server: Callable[..., Any], service_settings: Any
) -> AsyncIterator[grpc.aio.Channel]:
    """A channel to the servicer the composition root registers, behind the kit's pipeline."""
    own = service_settings.model_dump(exclude={"service_name", "public_methods"})
    running = await start_grpc_server(*servicers(parts), settings=Settings(**own))
    async with grpc.aio.insecure_channel(running.target) as connection:
        yield connection


@pytest_asyncio.fixture
async def stub(channel: grpc.aio.Channel) -> activity_service_pb2_grpc.ActivityServiceAsyncStub:
    return activity_service_pb2_grpc.ActivityServiceStub(channel)


def bearer(token: str) -> Metadata:
    return (("authorization", f"Bearer {token}"),)
