"""The platform's API conventions hold for every List and Update RPC this service serves (the
kit's contract suite); a new one fails here until it gets a seed recipe below."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.notifications.v1 import notification_pb2 as pb
from knowledge.notifications.v1 import notification_service_pb2 as api
from knowledge.notifications.v1 import notification_service_pb2_grpc
from knowledge_kit.testing.api_contract import CONVENTIONS, ApiContract, ListCase, UpdateCase

from ..support import Events, Spaces
from .conftest import bearer
from .seeds import ADA, BOB, documents_created, push_subscription

SERVICE = "knowledge.notifications.v1.NotificationService"


@pytest.fixture
def contract(
    channel: grpc.aio.Channel, mint_token: Callable[..., str], events: Events, spaces: Spaces
) -> ApiContract:
    """A seed recipe for each List and Update RPC of the service."""
    stub = notification_service_pb2_grpc.NotificationServiceStub(channel)
    bob = bearer(mint_token(BOB))

    async def list_notifications() -> ListCase:
        await documents_created(events, spaces, 3)
        return ListCase(
            api.ListNotificationsRequest(parent=BOB),
            bob,
            other_listing=(api.ListNotificationsRequest(parent=BOB, unread_only=True), bob),
        )

    async def list_deliveries() -> ListCase:
        await documents_created(events, spaces, 1)
        listed = await stub.ListNotifications(
            api.ListNotificationsRequest(parent=BOB), metadata=bob
        )
        first, second = listed.notifications[0].name, listed.notifications[-1].name
        return ListCase(
            api.ListDeliveriesRequest(parent=first),
            bob,
            other_listing=(api.ListDeliveriesRequest(parent=second), bob),
        )

    async def list_push_subscriptions() -> ListCase:
        for number in range(3):
            request = api.CreatePushSubscriptionRequest(
                parent=BOB, subscription=push_subscription(f"https://push.example/{number}")
            )
            await stub.CreatePushSubscription(request, metadata=bob)
        ada = bearer(mint_token(ADA))
        request = api.CreatePushSubscriptionRequest(
            parent=ADA, subscription=push_subscription("https://push.example/ada")
        )
        await stub.CreatePushSubscription(request, metadata=ada)
        return ListCase(
            api.ListPushSubscriptionsRequest(parent=BOB),
            bob,
            other_listing=(api.ListPushSubscriptionsRequest(parent=ADA), ada),
        )

    async def update_preferences() -> UpdateCase:
        request = api.UpdateNotificationPreferencesRequest(
            preferences=pb.NotificationPreferences(
                name=f"{BOB}/notificationPreferences", time_zone="Europe/Berlin"
            ),
            update_mask=FieldMask(paths=["time_zone"]),
        )
        return UpdateCase(request, bob)

    return ApiContract(
        channel,
        lists={
            f"{SERVICE}.ListNotifications": list_notifications,
            f"{SERVICE}.ListDeliveries": list_deliveries,
            f"{SERVICE}.ListPushSubscriptions": list_push_subscriptions,
        },
        updates={f"{SERVICE}.UpdateNotificationPreferences": update_preferences},
    )


@pytest.mark.parametrize("convention", CONVENTIONS)
async def test_the_platform_api_conventions_hold(contract: ApiContract, convention: str) -> None:
    await contract.check(convention)
