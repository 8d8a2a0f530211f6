"""The service's gRPC server on the test database, and the metadata of its callers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import pytest_asyncio
from knowledge.notifications.v1 import notification_service_pb2_grpc

from ms_notifications.main import NotificationParts, servicers

Metadata = tuple[tuple[str, str], ...]


@pytest_asyncio.fixture
async def channel(
    parts: NotificationParts, start_grpc_server: Callable[..., Any]
) -> AsyncIterator[grpc.aio.Channel]:
    """A channel to the servicer the composition root registers, behind the kit's pipeline."""
    running = await start_grpc_server(*servicers(parts))
    async with grpc.aio.insecure_channel(running.target) as connection:
        yield connection


@pytest_asyncio.fixture
async def stub(
    channel: grpc.aio.Channel,
) -> notification_service_pb2_grpc.NotificationServiceAsyncStub:
    return notification_service_pb2_grpc.NotificationServiceStub(channel)  # type: ignore[return-value]


def bearer(token: str) -> Metadata:
    return (("authorization", f"Bearer {token}"),)
