"""Every RPC of every service this server serves answers hostile requests (bytes that do not
parse, huge and extreme values, NUL characters) with a deliberate status, never UNKNOWN or
INTERNAL, and the service stays SERVING. Methods come from the server's reflection: a new RPC is
fuzzed without a line here (a seed below only helps its cases past the first checks)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import grpc
from google.protobuf.field_mask_pb2 import FieldMask
from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.notifications.v1 import notification_pb2 as pb
from knowledge.notifications.v1 import notification_service_pb2 as api
from knowledge_kit.testing.fuzz_server import fuzz_server

from ms_notifications.main import NotificationParts
from ms_notifications.repository.notifications import InboxFilter

from ..support import Events, Spaces
from .conftest import bearer
from .seeds import BOB, documents_created, push_subscription

# The whole run stays within about 20 seconds: cases left over are counted, not sent.
BUDGET_SECONDS = 16.0


async def seeds(
    parts: NotificationParts, events: Events, spaces: Spaces
) -> dict[str, dict[str, Message]]:
    """A valid request per method, on notifications Bob has."""
    await documents_created(events, spaces, 2)
    listed = await parts.inbox.list_notifications(BOB, BOB, InboxFilter(), 10, "")
    name = listed.page.items[0].name
    later = Timestamp()
    later.FromDatetime(datetime.now(UTC) + timedelta(hours=2))
    preferences = f"{BOB}/notificationPreferences"
    token = parts.tokens.issue(BOB, 2)
    subscription = push_subscription("https://push.example/fuzz")
    return {
        "NotificationService": {
            "ListNotifications": api.ListNotificationsRequest(
                parent=BOB, page_size=1, categories=[pb.NOTIFICATION_CATEGORY_DOCUMENT]
            ),
            "MarkNotificationRead": api.MarkNotificationReadRequest(name=name),
            "MarkAllNotificationsRead": api.MarkAllNotificationsReadRequest(parent=BOB),
            "GetNotificationPreferences": api.GetNotificationPreferencesRequest(name=preferences),
            "UpdateNotificationPreferences": api.UpdateNotificationPreferencesRequest(
                preferences=pb.NotificationPreferences(
                    name=preferences,
                    categories=[
                        pb.CategoryPreference(
                            category=pb.NOTIFICATION_CATEGORY_DOCUMENT,
                            channels=[
                                pb.NOTIFICATION_CHANNEL_IN_APP,
                                pb.NOTIFICATION_CHANNEL_EMAIL,
                            ],
                        )
                    ],
                    time_zone="Asia/Kolkata",
                    quiet_hours=pb.QuietHours(start_minute=1320, end_minute=420),
                ),
                update_mask=FieldMask(paths=["categories", "time_zone", "quiet_hours"]),
            ),
            "BatchUpdateNotifications": api.BatchUpdateNotificationsRequest(
                parent=BOB, names=[name], action=api.NOTIFICATION_ACTION_SNOOZE, snooze_until=later
            ),
            "GetNotificationCounts": api.GetNotificationCountsRequest(parent=BOB),
            "CreatePushSubscription": api.CreatePushSubscriptionRequest(
                parent=BOB, subscription=subscription
            ),
            "ListPushSubscriptions": api.ListPushSubscriptionsRequest(parent=BOB, page_size=1),
            "DeletePushSubscription": api.DeletePushSubscriptionRequest(
                name=f"{BOB}/pushSubscriptions/{'0' * 32}"
            ),
            "ListDeliveries": api.ListDeliveriesRequest(parent=name, page_size=1),
            "GetPushConfiguration": api.GetPushConfigurationRequest(),
            "UnsubscribeEmail": api.UnsubscribeEmailRequest(token=token),
        },
    }


async def test_every_rpc_answers_hostile_requests_with_a_deliberate_status(
    channel: grpc.aio.Channel,
    parts: NotificationParts,
    events: Events,
    spaces: Spaces,
    mint_token: Callable[..., str],
) -> None:
    by_service = await seeds(parts, events, spaces)
    await fuzz_server(
        channel, metadata=bearer(mint_token(BOB)), seeds=by_service, budget_seconds=BUDGET_SECONDS
    )
