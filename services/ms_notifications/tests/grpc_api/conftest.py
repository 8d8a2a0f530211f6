"""The service's gRPC server on the test database, and the metadata of its callers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import pytest_asyncio
from knowledge.notifications.v1 import notification_service_pb2_grpc

from ms_notifications.config import Settings
from ms_notifications.main import NotificationParts, servicers

Metadata = tuple[tuple[str, str], ...]


@pytest_asyncio.fixture
async def channel(
    parts: NotificationParts, start_grpc_server: Callable[..., Any], service_settings: Any
) -> AsyncIterator[grpc.aio.Channel]:
    """A channel to the servicer the composition root registers, behind the kit's pipeline,
    with this service's public methods (callable without a token)."""
    own = service_settings.model_dump(exclude={"service_name", "public_methods"})
    running = await start_grpc_server(*servicers(parts), settings=Settings(**own))
    async with grpc.aio.insecure_channel(running.target) as connection:
        yield connection


@pytest_asyncio.fixture
async def stub(
    channel: grpc.aio.Channel,
) -> notification_service_pb2_grpc.NotificationServiceAsyncStub:
    return notification_service_pb2_grpc.NotificationServiceStub(channel)


def bearer(token: str) -> Metadata:
    return (("authorization", f"Bearer {token}"),)
