"""The contract suite passes a service that follows the API conventions, names each drift of
one that does not, and refuses to run without a seed for every List and Update RPC."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import grpc
import pytest
import pytest_asyncio
from google.protobuf.field_mask_pb2 import FieldMask
from knowledge.notifications.v1 import notification_pb2 as model
from knowledge.notifications.v1 import notification_service_pb2 as api

from knowledge_kit.testing.api_contract import CONVENTIONS, ApiContract, ListCase, UpdateCase
from knowledge_kit.testing.plugin import StartGrpcServer

from .notification_service import (
    DriftingNotifications,
    Notifications,
    add_notifications_to_server,
)

LIST = "knowledge.notifications.v1.NotificationService.ListNotifications"
SUBSCRIPTIONS = "knowledge.notifications.v1.NotificationService.ListPushSubscriptions"
DELIVERIES = "knowledge.notifications.v1.NotificationService.ListDeliveries"
UPDATE = "knowledge.notifications.v1.NotificationService.UpdateNotificationPreferences"
Serve = Callable[..., Awaitable[ApiContract]]


@pytest_asyncio.fixture
async def serve(
    start_grpc_server: StartGrpcServer, mint_token: Callable[..., str]
) -> AsyncIterator[Serve]:
    """Serves `notifications` and returns the contract suite, seeded, against it."""
    channels: list[grpc.aio.Channel] = []
    metadata = (("authorization", f"Bearer {mint_token('users/ada')}"),)

    async def contract(notifications: Notifications, *, seeded: bool = True) -> ApiContract:
        running = await start_grpc_server((add_notifications_to_server, notifications))
        channels.append(grpc.aio.insecure_channel(running.target))

        async def inbox() -> ListCase:
            notifications.notify("users/ada", "Invited", "Mentioned", "Replied")
            request = api.ListNotificationsRequest(parent="users/ada")
            other = api.ListNotificationsRequest(parent="users/ada", unread_only=True)
            return ListCase(request, metadata, (other, metadata))

        async def subscriptions() -> ListCase:
            notifications.subscriptions["users/ada"] = [
                model.PushSubscription(name=f"users/ada/pushSubscriptions/p{number}")
                for number in range(3)
            ]
            request = api.ListPushSubscriptionsRequest(parent="users/ada")
            other = api.ListPushSubscriptionsRequest(parent="users/bob")
            return ListCase(request, metadata, (other, metadata))

        async def deliveries() -> ListCase:
            parent = "users/ada/notifications/n1"
            notifications.deliveries[parent] = [
                model.Delivery(name=f"{parent}/deliveries/d{number}") for number in range(3)
            ]
            request = api.ListDeliveriesRequest(parent=parent)
            other = api.ListDeliveriesRequest(parent="users/ada/notifications/n2")
            return ListCase(request, metadata, (other, metadata))

        async def preferences() -> UpdateCase:
            name = "users/ada/notificationPreferences"
            notifications.preferences[name] = model.NotificationPreferences(name=name)
            request = api.UpdateNotificationPreferencesRequest(
                preferences=model.NotificationPreferences(name=name, email_address="ada@x.org"),
                update_mask=FieldMask(paths=["email_address"]),
            )
            return UpdateCase(request, metadata)

        if not seeded:
            return ApiContract(channels[-1], lists={}, updates={})
        lists = {LIST: inbox, SUBSCRIPTIONS: subscriptions, DELIVERIES: deliveries}
        return ApiContract(channels[-1], lists=lists, updates={UPDATE: preferences})

    yield contract
    for channel in channels:
        await channel.close()


@pytest.mark.parametrize("convention", CONVENTIONS)
async def test_a_service_following_the_conventions_passes(serve: Serve, convention: str) -> None:
    contract = await serve(Notifications())
    await contract.check(convention)


async def test_each_convention_is_checked_by_name(serve: Serve) -> None:
    contract = await serve(DriftingNotifications())
    with pytest.raises(AssertionError, match="garbage page_token"):
        await contract.check("page_tokens")
    with pytest.raises(ValueError, match="unknown convention 'page_colours'"):
        await contract.check("page_colours")


async def test_garbage_page_tokens_must_be_invalid_not_internal(serve: Serve) -> None:
    contract = await serve(DriftingNotifications())
    with pytest.raises(AssertionError) as drift:
        await contract.check_page_tokens()
    assert str(drift.value) == (
        f"{LIST} with a garbage page_token: expected INVALID_ARGUMENT, got INTERNAL: internal error"
    )


async def test_negative_page_sizes_must_be_refused(serve: Serve) -> None:
    contract = await serve(DriftingNotifications())
    with pytest.raises(AssertionError) as drift:
        await contract.check_page_sizes()
    assert (
        str(drift.value)
        == f"{LIST} with page_size -1: expected INVALID_ARGUMENT, but the call succeeded"
    )


async def test_masks_naming_unknown_fields_must_be_refused(serve: Serve) -> None:
    contract = await serve(DriftingNotifications())
    with pytest.raises(AssertionError) as drift:
        await contract.check_update_masks()
    assert str(drift.value) == (
        f"{UPDATE} with update_mask 'no_such_field': expected INVALID_ARGUMENT, "
        "but the call succeeded"
    )


async def test_malformed_names_must_be_refused_naming_the_field(serve: Serve) -> None:
    contract = await serve(DriftingNotifications())
    with pytest.raises(AssertionError) as drift:
        await contract.check_resource_names()
    assert f"{LIST} with a malformed parent" in str(drift.value)


async def test_an_rpc_without_a_seed_recipe_fails_asking_for_one(serve: Serve) -> None:
    unseeded = await serve(Notifications(), seeded=False)
    with pytest.raises(AssertionError) as missing:
        await unseeded.check_page_tokens()
    assert str(missing.value).startswith("no seed recipe for ")
    assert LIST in str(missing.value) and DELIVERIES in str(missing.value)
