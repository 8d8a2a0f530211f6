"""NotificationService's List and Update RPCs over memory, once by the API conventions and once
drifting from them, for the contract suite's own tests."""

from __future__ import annotations

from typing import Any, Literal

import grpc
from knowledge.notifications.v1 import notification_pb2 as model
from knowledge.notifications.v1 import notification_service_pb2 as api

from knowledge_kit.api import PageTokens, ResourcePattern, update_paths
from knowledge_kit.errors import NotFoundError

Context = grpc.aio.ServicerContext[Any, Any]
USER = ResourcePattern("users/{user}")
NOTIFICATION = ResourcePattern("users/{user}/notifications/{notification}")
PREFERENCES = ResourcePattern("users/{user}/notificationPreferences")
SERVICE = "knowledge.notifications.v1.NotificationService"
Updatable = Literal["categories", "email_address", "push_webhook_url"]
UPDATABLE: tuple[Updatable, ...] = ("categories", "email_address", "push_webhook_url")


class Notifications:
    """Follows the conventions through knowledge_kit.api (the RPCs the suite calls only)."""

    def __init__(self) -> None:
        self.inbox: dict[str, list[model.Notification]] = {}
        self.preferences: dict[str, model.NotificationPreferences] = {}
        self.subscriptions: dict[str, list[model.PushSubscription]] = {}
        self.deliveries: dict[str, list[model.Delivery]] = {}
        self._pages = PageTokens(b"notifications")

    def notify(self, user: str, *titles: str) -> None:
        for title in titles:
            number = len(self.inbox.setdefault(user, [])) + 1
            name = f"{user}/notifications/n{number}"
            self.inbox[user].append(model.Notification(name=name, title=title))

    async def ListNotifications(
        self, request: api.ListNotificationsRequest, context: Context
    ) -> api.ListNotificationsResponse:
        USER.check(request.parent, "parent")
        listing = (request.parent, str(request.unread_only))
        page = self._pages.request(request.page_size, request.page_token, listing=listing)
        stored = self.inbox.get(request.parent, [])
        fetched = stored[page.offset : page.offset + page.fetch_limit]
        listed = page.page_at_offset(fetched)
        return api.ListNotificationsResponse(
            notifications=listed.items, next_page_token=listed.next_page_token
        )

    async def ListPushSubscriptions(
        self, request: api.ListPushSubscriptionsRequest, context: Context
    ) -> api.ListPushSubscriptionsResponse:
        USER.check(request.parent, "parent")
        page = self._pages.request(request.page_size, request.page_token, listing=[request.parent])
        stored = self.subscriptions.get(request.parent, [])
        listed = page.page_at_offset(stored[page.offset : page.offset + page.fetch_limit])
        return api.ListPushSubscriptionsResponse(
            subscriptions=listed.items, next_page_token=listed.next_page_token
        )

    async def ListDeliveries(
        self, request: api.ListDeliveriesRequest, context: Context
    ) -> api.ListDeliveriesResponse:
        NOTIFICATION.check(request.parent, "parent")
        page = self._pages.request(request.page_size, request.page_token, listing=[request.parent])
        stored = self.deliveries.get(request.parent, [])
        listed = page.page_at_offset(stored[page.offset : page.offset + page.fetch_limit])
        return api.ListDeliveriesResponse(
            deliveries=listed.items, next_page_token=listed.next_page_token
        )

    async def UpdateNotificationPreferences(
        self, request: api.UpdateNotificationPreferencesRequest, context: Context
    ) -> api.UpdateNotificationPreferencesResponse:
        sent = request.preferences
        paths = update_paths(request.update_mask, sent, UPDATABLE)
        PREFERENCES.check(sent.name, "preferences.name")
        stored = self.preferences.get(sent.name)
        if stored is None:
            raise NotFoundError(f"{sent.name} does not exist")
        for field in UPDATABLE:
            if field in paths:
                stored.ClearField(field)
        stored.MergeFrom(_only(sent, paths))
        return api.UpdateNotificationPreferencesResponse(preferences=stored)


class DriftingNotifications(Notifications):
    """Pages by a readable offset any listing accepts, and applies any mask it is sent."""

    async def ListNotifications(
        self, request: api.ListNotificationsRequest, context: Context
    ) -> api.ListNotificationsResponse:
        offset = int(request.page_token or 0)
        size = max(request.page_size, 1)
        stored = self.inbox.get(request.parent, [])
        following = offset + size < len(stored)
        return api.ListNotificationsResponse(
            notifications=stored[offset : offset + size],
            next_page_token=str(offset + size) if following else "",
        )

    async def UpdateNotificationPreferences(
        self, request: api.UpdateNotificationPreferencesRequest, context: Context
    ) -> api.UpdateNotificationPreferencesResponse:
        stored = self.preferences.setdefault(
            request.preferences.name, model.NotificationPreferences()
        )
        stored.MergeFrom(request.preferences)
        return api.UpdateNotificationPreferencesResponse(preferences=stored)


def _only(
    sent: model.NotificationPreferences, paths: frozenset[str]
) -> model.NotificationPreferences:
    kept = model.NotificationPreferences()
    kept.CopyFrom(sent)
    for field in UPDATABLE:
        if field not in paths:
            kept.ClearField(field)
    kept.ClearField("name")
    return kept


def add_notifications_to_server(servicer: Notifications, server: Any) -> None:
    """Registers the RPCs the suite calls the way generated code registers a whole service."""
    handlers: dict[str, grpc.RpcMethodHandler[Any, Any]] = {
        "ListNotifications": grpc.unary_unary_rpc_method_handler(
            servicer.ListNotifications,
            request_deserializer=api.ListNotificationsRequest.FromString,
            response_serializer=api.ListNotificationsResponse.SerializeToString,
        ),
        "ListPushSubscriptions": grpc.unary_unary_rpc_method_handler(
            servicer.ListPushSubscriptions,
            request_deserializer=api.ListPushSubscriptionsRequest.FromString,
            response_serializer=api.ListPushSubscriptionsResponse.SerializeToString,
        ),
        "ListDeliveries": grpc.unary_unary_rpc_method_handler(
            servicer.ListDeliveries,
            request_deserializer=api.ListDeliveriesRequest.FromString,
            response_serializer=api.ListDeliveriesResponse.SerializeToString,
        ),
        "UpdateNotificationPreferences": grpc.unary_unary_rpc_method_handler(
            servicer.UpdateNotificationPreferences,
            request_deserializer=api.UpdateNotificationPreferencesRequest.FromString,
            response_serializer=api.UpdateNotificationPreferencesResponse.SerializeToString,
        ),
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    server.add_registered_method_handlers(SERVICE, handlers)
