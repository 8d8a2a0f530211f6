"""Between the service's records and knowledge.notifications.v1 messages."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.notifications.v1 import notification_pb2 as pb
from knowledge.notifications.v1 import notification_service_pb2 as api

from ..domain.names import preferences_name
from ..domain.notifications import Category, Counts, Delivery, Notification
from ..domain.preferences import Preferences
from ..domain.push import PushSubscription
from ..service.preferences import RequestedCategory, RequestedPreferences
from ..service.stream import Changed, Opened, Recounted, StreamItem


def notification_message(one: Notification) -> pb.Notification:
    message = pb.Notification(
        name=one.name,
        category=int(one.category),  # type: ignore[arg-type]
        title=one.title,
        body=one.body,
        subject=one.link,
        create_time=timestamp(one.create_time),
        actors=list(one.actors),
        actor_count=one.actor_count,
        group_key=one.group_key,
        update_time=timestamp(one.update_time),
    )
    for field, moment in (
        ("read_time", one.read_time),
        ("seen_time", one.seen_time),
        ("archive_time", one.archive_time),
        ("snooze_until", one.snooze_until),
    ):
        if moment is not None:
            getattr(message, field).CopyFrom(timestamp(moment))
    return message


def counts_message(counts: Counts) -> api.NotificationCounts:
    return api.NotificationCounts(unread_count=counts.unread, unseen_count=counts.unseen)


def delivery_message(one: Delivery) -> pb.Delivery:
    message = pb.Delivery(
        name=one.name,
        channel=int(one.channel),  # type: ignore[arg-type]
        state=int(one.state),  # type: ignore[arg-type]
        attempts=one.attempts,
        last_error=one.last_error,
        digest=one.digest,
    )
    if one.next_attempt_at is not None:
        message.next_attempt_time.CopyFrom(timestamp(one.next_attempt_at))
    if one.sent_at is not None:
        message.sent_time.CopyFrom(timestamp(one.sent_at))
    return message


def preferences_message(chosen: Preferences) -> pb.NotificationPreferences:
    return pb.NotificationPreferences(
        name=preferences_name(chosen.user),
        categories=[
            pb.CategoryPreference(
                category=int(category),  # type: ignore[arg-type]
                channels=sorted(int(c) for c in chosen.channels_for(category)),  # type: ignore[misc]
                email_frequency=int(chosen.category(category).email_frequency),  # type: ignore[arg-type]
            )
            for category in Category
            if category in chosen.categories or category in chosen.unsubscribed
        ],
        email_address=chosen.email_address,
        time_zone=chosen.time_zone,
        quiet_hours=pb.QuietHours(
            start_minute=chosen.quiet_hours.start_minute,
            end_minute=chosen.quiet_hours.end_minute,
        ),
    )


def requested_preferences(message: pb.NotificationPreferences) -> RequestedPreferences:
    return RequestedPreferences(
        name=message.name,
        categories=tuple(
            RequestedCategory(one.category, tuple(one.channels), one.email_frequency)
            for one in message.categories
        ),
        email_address=message.email_address,
        time_zone=message.time_zone,
        quiet_hours=(message.quiet_hours.start_minute, message.quiet_hours.end_minute),
    )


def push_subscription_message(one: PushSubscription) -> pb.PushSubscription:
    return pb.PushSubscription(
        name=one.name,
        endpoint=one.endpoint,
        p256dh=one.p256dh,
        auth=one.auth,
        device_label=one.device_label,
        create_time=timestamp(one.create_time),
    )


def stream_message(item: StreamItem) -> api.StreamNotificationsResponse:
    match item:
        case Opened(unread, cursor):
            return api.StreamNotificationsResponse(unread_count=unread, cursor=cursor)
        case Changed(one, kind, cursor) if kind == 1:
            return api.StreamNotificationsResponse(
                notification=notification_message(one), cursor=cursor
            )
        case Changed(one, _, cursor):
            return api.StreamNotificationsResponse(updated=notification_message(one), cursor=cursor)
        case Recounted(counts, cursor):
            return api.StreamNotificationsResponse(counts=counts_message(counts), cursor=cursor)
    raise AssertionError(f"unknown stream item {item!r}")


def timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp
