"""StreamNotifications through gRPC: the unread count first, then new notifications as they
come; a reconnect with the last cursor gets what it missed; only the user themselves."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import grpc
import pytest
from knowledge.notifications.v1 import notification_service_pb2 as api

from ..support import Events, Spaces
from .conftest import bearer
from .seeds import ADA, BOB, documents_created

if TYPE_CHECKING:  # the asynchronous stub's type exists in the stubs only
    from knowledge.notifications.v1.notification_service_pb2_grpc import (
        NotificationServiceAsyncStub,
    )

LIMIT_SECONDS = 30


async def message(call: Any) -> api.StreamNotificationsResponse:
    """The stream's next message (it never ends by itself)."""
    read = await asyncio.wait_for(call.read(), LIMIT_SECONDS)
    assert isinstance(read, api.StreamNotificationsResponse)
    return read


async def test_a_reconnected_stream_loses_nothing(
    stub: NotificationServiceAsyncStub,
    events: Events,
    spaces: Spaces,
    mint_token: Callable[..., str],
) -> None:
    bob = bearer(mint_token(BOB))
    await documents_created(events, spaces, 1)
    call = stub.StreamNotifications(api.StreamNotificationsRequest(parent=BOB), metadata=bob)
    opened = await message(call)
    assert opened.WhichOneof("event") == "unread_count" and opened.unread_count == 1
    call.cancel()  # the tab closed
    await documents_created(events, spaces, 3)  # documents d0..d2 again: three new events
    resumed = stub.StreamNotifications(
        api.StreamNotificationsRequest(parent=BOB, resume_after=opened.cursor), metadata=bob
    )
    received = [await message(resumed) for _ in range(5)]
    resumed.cancel()
    assert [one.WhichOneof("event") for one in received] == [
        "unread_count",
        "notification",
        "notification",
        "notification",
        "counts",
    ]
    assert received[-1].counts.unread_count == 4
    cursors = [int(one.cursor) for one in received[1:]]
    assert cursors == sorted(cursors) and cursors[0] > int(opened.cursor)


async def test_only_the_user_themselves_may_stream(
    stub: NotificationServiceAsyncStub, mint_token: Callable[..., str]
) -> None:
    call = stub.StreamNotifications(
        api.StreamNotificationsRequest(parent=BOB), metadata=bearer(mint_token(ADA))
    )
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await message(call)
    assert refused.value.code() == grpc.StatusCode.PERMISSION_DENIED
