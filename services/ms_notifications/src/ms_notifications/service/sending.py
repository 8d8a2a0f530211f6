"""Notifications put into mails and pushes and handed to their channel.

A failure comes back as the channel's DeliveryFailed; NothingToSend says there was no one to
send to (every push subscription gone), which is not a failure of the channel.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ..adapters.email import MailComposer, MailItem, Recipient, SmtpMailer, unsubscribe_link
from ..adapters.failures import DeliveryFailed, SubscriptionGone
from ..adapters.web_push import WebPushSender
from ..domain.notifications import Category, Notification
from ..domain.unsubscribe import UnsubscribeTokens
from ..repository.work import NotificationWork


class NothingToSend(Exception):
    """The channel has no one to reach for this user (the reason says why)."""


def page_link(public_base_url: str, notification: Notification) -> str:
    """Where the web app shows what a notification is about ("" when it names nothing)."""
    if not notification.link:
        return ""
    return f"{public_base_url.rstrip('/')}/{notification.link.lstrip('/')}"


class MailSending:
    """Writes and sends the mails of notifications."""

    def __init__(
        self,
        mailer: SmtpMailer,
        composer: MailComposer,
        tokens: UnsubscribeTokens,
        public_base_url: str,
    ) -> None:
        self._mailer = mailer
        self._composer = composer
        self._tokens = tokens
        self._base_url = public_base_url

    async def send(
        self,
        to: Recipient,
        notifications: Sequence[Notification],
        *,
        digest_id: str | None = None,
    ) -> None:
        """One mail: the notification's own, or with `digest_id` a digest of all of them (one
        user, one category). Security notices carry no unsubscribe link."""
        first = notifications[0]
        unsubscribe = None
        if first.category is not Category.ACCOUNT:
            token = self._tokens.issue(first.recipient, int(first.category))
            unsubscribe = unsubscribe_link(self._base_url, token)
        items = [
            MailItem(one.title, one.body, page_link(self._base_url, one)) for one in notifications
        ]
        try:
            if digest_id is None:
                message = self._composer.notification(
                    to, first.category, items[0], unsubscribe, message_id=f"{first.id}.email"
                )
            else:
                message = self._composer.digest(
                    to, first.category, items, unsubscribe, message_id=f"digest.{digest_id}"
                )
        except ValueError as error:
            raise DeliveryFailed(f"the mail cannot be written: {error}", permanent=True) from None
        await self._mailer.send(message)


class PushSending:
    """Pushes a notification to every browser or device the user registered."""

    def __init__(self, sender: WebPushSender, public_base_url: str) -> None:
        self._sender = sender
        self._base_url = public_base_url

    async def send(self, work: NotificationWork, notification: Notification) -> None:
        """Sent when at least one subscription took it; subscriptions the push service no
        longer knows are removed on the way."""
        subscriptions = await work.push.of_user(notification.recipient)
        if not subscriptions:
            raise NothingToSend("no push subscription")
        payload = self.payload(notification)
        failures: list[DeliveryFailed] = []
        reached = 0
        for subscription in subscriptions:
            try:
                await self._sender.send(
                    subscription.endpoint, subscription.p256dh, subscription.auth, payload
                )
            except SubscriptionGone:
                await work.push.forget_endpoint(subscription.endpoint)
            except DeliveryFailed as failure:
                failures.append(failure)
            else:
                reached += 1
        if reached:
            return
        if not failures:
            raise NothingToSend("every push subscription was gone")
        raise next((one for one in failures if not one.permanent), failures[0])

    def payload(self, notification: Notification) -> bytes:
        """What the service worker receives: JSON with the notification's name, category,
        title, body and the page to open."""
        return json.dumps(
            {
                "notification": notification.name,
                "category": int(notification.category),
                "title": notification.title,
                "body": notification.body,
                "link": page_link(self._base_url, notification),
            },
            ensure_ascii=False,
        ).encode()
