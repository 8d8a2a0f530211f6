"""NotificationService through gRPC and the kit's pipeline: a user reaches their own inbox only,
state changes come back with the counts, bad preferences and subscriptions name their field,
and an unsubscribe link works without signing in."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import grpc
import pytest
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.notifications.v1 import notification_pb2 as pb
from knowledge.notifications.v1 import notification_service_pb2 as api
from knowledge_kit.errors import field_violations_of

from ms_notifications.main import NotificationParts

from ..support import Events, Spaces
from .conftest import Metadata, bearer
from .seeds import ADA, BOB, documents_created, push_subscription

if TYPE_CHECKING:  # the asynchronous stub's type exists in the stubs only
    from knowledge.notifications.v1.notification_service_pb2_grpc import (
        NotificationServiceAsyncStub,
    )

PREFERENCES = f"{BOB}/notificationPreferences"


@pytest.fixture
def bob(mint_token: Callable[..., str]) -> Metadata:
    return bearer(mint_token(BOB))


async def refused(call: Awaitable[object]) -> tuple[grpc.StatusCode, list[str]]:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call
    return raised.value.code(), [one.field for one in field_violations_of(raised.value)]


async def test_state_changes_come_back_with_the_counts(
    stub: NotificationServiceAsyncStub, events: Events, spaces: Spaces, bob: Metadata
) -> None:
    await documents_created(events, spaces, 3)
    listed = await stub.ListNotifications(api.ListNotificationsRequest(parent=BOB), metadata=bob)
    assert listed.unread_count == 3
    newest, middle, oldest = (one.name for one in listed.notifications)
    seen = await stub.BatchUpdateNotifications(
        api.BatchUpdateNotificationsRequest(
            parent=BOB, names=[newest, middle, oldest], action=api.NOTIFICATION_ACTION_MARK_SEEN
        ),
        metadata=bob,
    )
    assert (seen.counts.unread_count, seen.counts.unseen_count) == (3, 0)
    read = await stub.MarkNotificationRead(
        api.MarkNotificationReadRequest(name=newest), metadata=bob
    )
    assert read.notification.HasField("read_time")
    later = Timestamp()
    later.FromDatetime(datetime.now(UTC) + timedelta(days=1))
    snoozed = await stub.BatchUpdateNotifications(
        api.BatchUpdateNotificationsRequest(
            parent=BOB, names=[middle], action=api.NOTIFICATION_ACTION_SNOOZE, snooze_until=later
        ),
        metadata=bob,
    )
    assert snoozed.counts.unread_count == 1
    archived = await stub.BatchUpdateNotifications(
        api.BatchUpdateNotificationsRequest(
            parent=BOB, names=[oldest], action=api.NOTIFICATION_ACTION_ARCHIVE
        ),
        metadata=bob,
    )
    assert archived.counts.unread_count == 0
    inbox = await stub.ListNotifications(api.ListNotificationsRequest(parent=BOB), metadata=bob)
    assert [one.name for one in inbox.notifications] == [newest]
    archive = await stub.ListNotifications(
        api.ListNotificationsRequest(parent=BOB, archived=True), metadata=bob
    )
    assert [one.name for one in archive.notifications] == [oldest]
    marked = await stub.MarkAllNotificationsRead(
        api.MarkAllNotificationsReadRequest(parent=BOB), metadata=bob
    )
    assert marked.marked_count == 2


async def test_another_users_notifications_are_not_found(
    stub: NotificationServiceAsyncStub,
    events: Events,
    spaces: Spaces,
    bob: Metadata,
    mint_token: Callable[..., str],
) -> None:
    await documents_created(events, spaces, 1)
    listed = await stub.ListNotifications(api.ListNotificationsRequest(parent=BOB), metadata=bob)
    name = listed.notifications[0].name
    ada = bearer(mint_token(ADA))
    for call in (
        stub.MarkNotificationRead(api.MarkNotificationReadRequest(name=name), metadata=ada),
        stub.ListDeliveries(api.ListDeliveriesRequest(parent=name), metadata=ada),
        stub.BatchUpdateNotifications(
            api.BatchUpdateNotificationsRequest(
                parent=ADA, names=[name], action=api.NOTIFICATION_ACTION_MARK_READ
            ),
            metadata=ada,
        ),
        stub.GetNotificationPreferences(
            api.GetNotificationPreferencesRequest(name=PREFERENCES), metadata=ada
        ),
    ):
        assert (await refused(call))[0] == grpc.StatusCode.NOT_FOUND
    code, _ = await refused(
        stub.ListNotifications(api.ListNotificationsRequest(parent=BOB), metadata=ada)
    )
    assert code == grpc.StatusCode.PERMISSION_DENIED


async def test_bad_preferences_name_their_field(
    stub: NotificationServiceAsyncStub, bob: Metadata
) -> None:
    def update(
        preferences: pb.NotificationPreferences, *paths: str
    ) -> Awaitable[api.UpdateNotificationPreferencesResponse]:
        preferences.name = PREFERENCES
        request = api.UpdateNotificationPreferencesRequest(
            preferences=preferences, update_mask=FieldMask(paths=list(paths))
        )
        return stub.UpdateNotificationPreferences(request, metadata=bob)

    cases = [
        (pb.NotificationPreferences(time_zone="Mars/Olympus"), "time_zone"),
        (
            pb.NotificationPreferences(
                categories=[pb.CategoryPreference(category=42)]  # type: ignore[arg-type]
            ),
            "categories",
        ),
        (
            pb.NotificationPreferences(
                categories=[
                    pb.CategoryPreference(
                        category=pb.NOTIFICATION_CATEGORY_ACCOUNT,
                        channels=[pb.NOTIFICATION_CHANNEL_IN_APP],
                    )
                ]
            ),
            "categories",
        ),
        (pb.NotificationPreferences(quiet_hours=pb.QuietHours(start_minute=1440)), "quiet_hours"),
        (pb.NotificationPreferences(email_address="not an address"), "email_address"),
    ]
    answers = [await refused(update(preferences, path)) for preferences, path in cases]
    assert answers == [
        (grpc.StatusCode.INVALID_ARGUMENT, ["preferences.time_zone"]),
        (grpc.StatusCode.INVALID_ARGUMENT, ["preferences.categories[0].category"]),
        (grpc.StatusCode.INVALID_ARGUMENT, ["preferences.categories[0].channels"]),
        (grpc.StatusCode.INVALID_ARGUMENT, ["preferences.quiet_hours.start_minute"]),
        (grpc.StatusCode.INVALID_ARGUMENT, ["preferences.email_address"]),
    ]
    chosen = await update(
        pb.NotificationPreferences(
            time_zone="Asia/Kolkata",
            categories=[
                pb.CategoryPreference(
                    category=pb.NOTIFICATION_CATEGORY_DOCUMENT,
                    channels=[pb.NOTIFICATION_CHANNEL_IN_APP, pb.NOTIFICATION_CHANNEL_EMAIL],
                    email_frequency=pb.EMAIL_FREQUENCY_DAILY,
                )
            ],
        ),
        "time_zone",
        "categories",
    )
    got = await stub.GetNotificationPreferences(
        api.GetNotificationPreferencesRequest(name=PREFERENCES), metadata=bob
    )
    assert got.preferences == chosen.preferences
    assert got.preferences.time_zone == "Asia/Kolkata"
    [documents] = got.preferences.categories
    assert (list(documents.channels), documents.email_frequency) == ([1, 2], 3)


async def test_an_unsubscribe_link_turns_email_off_without_signing_in(
    stub: NotificationServiceAsyncStub, parts: NotificationParts, bob: Metadata
) -> None:
    request = api.UpdateNotificationPreferencesRequest(
        preferences=pb.NotificationPreferences(
            name=PREFERENCES,
            categories=[
                pb.CategoryPreference(
                    category=pb.NOTIFICATION_CATEGORY_DOCUMENT,
                    channels=[pb.NOTIFICATION_CHANNEL_IN_APP, pb.NOTIFICATION_CHANNEL_EMAIL],
                )
            ],
        ),
        update_mask=FieldMask(paths=["categories"]),
    )
    await stub.UpdateNotificationPreferences(request, metadata=bob)
    token = parts.tokens.issue(BOB, 2)
    answer = await stub.UnsubscribeEmail(api.UnsubscribeEmailRequest(token=token))
    assert (answer.user, answer.category) == (BOB, 2)
    got = await stub.GetNotificationPreferences(
        api.GetNotificationPreferencesRequest(name=PREFERENCES), metadata=bob
    )
    assert [list(one.channels) for one in got.preferences.categories] == [[1]]
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    assert await refused(stub.UnsubscribeEmail(api.UnsubscribeEmailRequest(token=forged))) == (
        grpc.StatusCode.INVALID_ARGUMENT,
        ["token"],
    )
    security = parts.tokens.issue(BOB, 5)
    code, fields = await refused(stub.UnsubscribeEmail(api.UnsubscribeEmailRequest(token=security)))
    assert (code, fields) == (grpc.StatusCode.INVALID_ARGUMENT, ["token"])


async def test_push_subscriptions_are_one_per_browser_and_malformed_ones_are_named(
    stub: NotificationServiceAsyncStub, bob: Metadata
) -> None:
    first = push_subscription("https://push.example/browser-1")
    created = await stub.CreatePushSubscription(
        api.CreatePushSubscriptionRequest(parent=BOB, subscription=first), metadata=bob
    )
    again = push_subscription("https://push.example/browser-1", label="Firefox, renewed")
    renewed = await stub.CreatePushSubscription(
        api.CreatePushSubscriptionRequest(parent=BOB, subscription=again), metadata=bob
    )
    assert renewed.subscription.name == created.subscription.name
    assert renewed.subscription.p256dh == again.p256dh
    listed = await stub.ListPushSubscriptions(
        api.ListPushSubscriptionsRequest(parent=BOB), metadata=bob
    )
    assert [one.device_label for one in listed.subscriptions] == ["Firefox, renewed"]
    malformed = pb.PushSubscription(endpoint="http://push.example/x", p256dh="short", auth="")
    code, fields = await refused(
        stub.CreatePushSubscription(
            api.CreatePushSubscriptionRequest(parent=BOB, subscription=malformed), metadata=bob
        )
    )
    assert code == grpc.StatusCode.INVALID_ARGUMENT
    assert fields == ["subscription.endpoint", "subscription.p256dh", "subscription.auth"]
    await stub.DeletePushSubscription(
        api.DeletePushSubscriptionRequest(name=created.subscription.name), metadata=bob
    )
    code, _ = await refused(
        stub.DeletePushSubscription(
            api.DeletePushSubscriptionRequest(name=created.subscription.name), metadata=bob
        )
    )
    assert code == grpc.StatusCode.NOT_FOUND


async def test_push_configuration_needs_no_token_and_says_when_push_is_off(
    stub: NotificationServiceAsyncStub,
) -> None:
    code, _ = await refused(stub.GetPushConfiguration(api.GetPushConfigurationRequest()))
    assert code == grpc.StatusCode.FAILED_PRECONDITION
