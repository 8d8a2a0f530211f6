"""The resource names of the service's API (AIP-122)."""

from __future__ import annotations

from knowledge_kit.api import ResourcePattern

USER = ResourcePattern("users/{user}")
NOTIFICATION = ResourcePattern("users/{user}/notifications/{notification}")
PREFERENCES = ResourcePattern("users/{user}/notificationPreferences")
PUSH_SUBSCRIPTION = ResourcePattern("users/{user}/pushSubscriptions/{subscription}")


def notification_name(user: str, notification_id: str) -> str:
    """users/{user}/notifications/{id} for the recipient `user` (users/{user})."""
    return f"{user}/notifications/{notification_id}"


def push_subscription_name(user: str, subscription_id: str) -> str:
    return f"{user}/pushSubscriptions/{subscription_id}"


def preferences_name(user: str) -> str:
    return f"{user}/notificationPreferences"


def is_user(principal: str) -> bool:
    """Whether `principal` is a person (users/{user}); service accounts get no notifications."""
    return USER.matches(principal)
