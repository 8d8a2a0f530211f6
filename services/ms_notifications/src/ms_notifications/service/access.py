"""Whose inbox is it? Every resource of the service belongs to one user, and only that user
reaches it."""

from __future__ import annotations

from knowledge_kit.errors import NotFoundError, PermissionDeniedError

from ..domain.names import NOTIFICATION, USER


def own_parent(caller: str, parent: str, field: str = "parent") -> str:
    """`parent` (users/{user}) when it is the caller; PERMISSION_DENIED for another user's."""
    USER.check(parent, field)
    if parent != caller:
        raise PermissionDeniedError(f"only {parent} may read or change their notifications")
    return parent


def own_notification(caller: str, name: str, field: str = "name") -> str:
    """The id of the caller's notification `name`; another user's is NOT_FOUND (as one that
    does not exist)."""
    ids = NOTIFICATION.parse(name, field)
    if f"users/{ids['user']}" != caller:
        raise NotFoundError(f"{name} does not exist")
    return ids["notification"]
