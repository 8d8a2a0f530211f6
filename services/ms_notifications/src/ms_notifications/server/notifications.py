"""knowledge.notifications.v1.NotificationService on the inbox, stream, preference and push
use cases. The caller is whoever the token names; the use cases check what is theirs."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
from knowledge.notifications.v1 import notification_service_pb2 as api
from knowledge.notifications.v1 import notification_service_pb2_grpc
from knowledge_kit.api import caller_name, checked_time, update_paths
from knowledge_kit.errors import FieldViolation, ValidationError

from ..domain.notifications import Category
from ..repository.notifications import InboxFilter
from ..service.inbox import Inbox
from ..service.preferences import UPDATABLE, PreferenceUseCases
from ..service.push import PushUseCases
from ..service.stream import NotificationStream
from .messages import (
    counts_message,
    delivery_message,
    notification_message,
    preferences_message,
    push_subscription_message,
    requested_preferences,
    stream_message,
)

Context = grpc.aio.ServicerContext[Any, Any]


class NotificationServicer(notification_service_pb2_grpc.NotificationServiceServicer):
    def __init__(
        self,
        inbox: Inbox,
        stream: NotificationStream,
        preferences: PreferenceUseCases,
        push: PushUseCases,
    ) -> None:
        self._inbox = inbox
        self._stream = stream
        self._preferences = preferences
        self._push = push

    async def ListNotifications(
        self, request: api.ListNotificationsRequest, context: Context
    ) -> api.ListNotificationsResponse:
        shown = InboxFilter(
            unread_only=request.unread_only,
            categories=_categories(request.categories),
            archived=request.archived,
        )
        listed = await self._inbox.list_notifications(
            caller_name(), request.parent, shown, request.page_size, request.page_token
        )
        return api.ListNotificationsResponse(
            notifications=[notification_message(one) for one in listed.page.items],
            next_page_token=listed.page.next_page_token,
            unread_count=listed.unread,
        )

    async def MarkNotificationRead(
        self, request: api.MarkNotificationReadRequest, context: Context
    ) -> api.MarkNotificationReadResponse:
        read = await self._inbox.mark_read(caller_name(), request.name)
        return api.MarkNotificationReadResponse(notification=notification_message(read))

    async def MarkAllNotificationsRead(
        self, request: api.MarkAllNotificationsReadRequest, context: Context
    ) -> api.MarkAllNotificationsReadResponse:
        marked = await self._inbox.mark_all_read(caller_name(), request.parent)
        return api.MarkAllNotificationsReadResponse(marked_count=marked)

    async def BatchUpdateNotifications(
        self, request: api.BatchUpdateNotificationsRequest, context: Context
    ) -> api.BatchUpdateNotificationsResponse:
        until = (
            checked_time(request.snooze_until, "snooze_until")
            if request.HasField("snooze_until")
            else None
        )
        changed, counts = await self._inbox.batch_update(
            caller_name(), request.parent, list(request.names), request.action, until
        )
        return api.BatchUpdateNotificationsResponse(
            notifications=[notification_message(one) for one in changed],
            counts=counts_message(counts),
        )

    async def GetNotificationCounts(
        self, request: api.GetNotificationCountsRequest, context: Context
    ) -> api.GetNotificationCountsResponse:
        counts = await self._inbox.counts(caller_name(), request.parent)
        return api.GetNotificationCountsResponse(counts=counts_message(counts))

    async def StreamNotifications(
        self, request: api.StreamNotificationsRequest, context: Context
    ) -> AsyncIterator[api.StreamNotificationsResponse]:
        items = self._stream.stream(caller_name(), request.parent, request.resume_after)
        async for item in items:
            yield stream_message(item)

    async def GetNotificationPreferences(
        self, request: api.GetNotificationPreferencesRequest, context: Context
    ) -> api.GetNotificationPreferencesResponse:
        chosen = await self._preferences.get(caller_name(), request.name)
        return api.GetNotificationPreferencesResponse(preferences=preferences_message(chosen))

    async def UpdateNotificationPreferences(
        self, request: api.UpdateNotificationPreferencesRequest, context: Context
    ) -> api.UpdateNotificationPreferencesResponse:
        paths = update_paths(request.update_mask, request.preferences, UPDATABLE)
        chosen = await self._preferences.update(
            caller_name(), requested_preferences(request.preferences), paths
        )
        return api.UpdateNotificationPreferencesResponse(preferences=preferences_message(chosen))

    async def UnsubscribeEmail(
        self, request: api.UnsubscribeEmailRequest, context: Context
    ) -> api.UnsubscribeEmailResponse:
        user, category = await self._preferences.unsubscribe(request.token)
        return api.UnsubscribeEmailResponse(user=user, category=int(category))  # type: ignore[arg-type]

    async def CreatePushSubscription(
        self, request: api.CreatePushSubscriptionRequest, context: Context
    ) -> api.CreatePushSubscriptionResponse:
        given = request.subscription
        registered = await self._push.register(
            caller_name(),
            request.parent,
            given.endpoint,
            given.p256dh,
            given.auth,
            given.device_label,
        )
        return api.CreatePushSubscriptionResponse(
            subscription=push_subscription_message(registered)
        )

    async def ListPushSubscriptions(
        self, request: api.ListPushSubscriptionsRequest, context: Context
    ) -> api.ListPushSubscriptionsResponse:
        page = await self._push.list_subscriptions(
            caller_name(), request.parent, request.page_size, request.page_token
        )
        return api.ListPushSubscriptionsResponse(
            subscriptions=[push_subscription_message(one) for one in page.items],
            next_page_token=page.next_page_token,
        )

    async def DeletePushSubscription(
        self, request: api.DeletePushSubscriptionRequest, context: Context
    ) -> api.DeletePushSubscriptionResponse:
        await self._push.delete(caller_name(), request.name)
        return api.DeletePushSubscriptionResponse()

    async def GetPushConfiguration(
        self, request: api.GetPushConfigurationRequest, context: Context
    ) -> api.GetPushConfigurationResponse:
        return api.GetPushConfigurationResponse(vapid_public_key=self._push.configuration())

    async def ListDeliveries(
        self, request: api.ListDeliveriesRequest, context: Context
    ) -> api.ListDeliveriesResponse:
        page = await self._inbox.deliveries(
            caller_name(), request.parent, request.page_size, request.page_token
        )
        return api.ListDeliveriesResponse(
            deliveries=[delivery_message(one) for one in page.items],
            next_page_token=page.next_page_token,
        )


def _categories(numbers: Any) -> frozenset[Category]:
    chosen: set[Category] = set()
    for index, number in enumerate(numbers):
        try:
            chosen.add(Category(number))
        except ValueError:
            raise ValidationError(
                f"categories[{index}] is not a notification category",
                [FieldViolation(f"categories[{index}]", "must be a known category")],
            ) from None
    return frozenset(chosen)
