"""The resource names of the service's API (AIP-122): everything belongs to one user."""

from __future__ import annotations

from knowledge_kit.api import ResourcePattern

# A user's id as the platform's tokens name it (users/{id}).
USER_ID = r"[A-Za-z0-9._~-]{1,128}"
USER = ResourcePattern("users/{user}", user=USER_ID)
CONVERSATION = ResourcePattern("users/{user}/conversations/{conversation}", user=USER_ID)
MESSAGE = ResourcePattern(
    "users/{user}/conversations/{conversation}/messages/{message}", user=USER_ID
)
SPACE = ResourcePattern("spaces/{space}")
DOCUMENT = ResourcePattern("spaces/{space}/documents/{document}")


def conversation_of(message: str) -> str:
    """users/{u}/conversations/{c} of a message name."""
    return message.rsplit("/messages/", 1)[0]


def owner_of(name: str) -> str:
    """users/{u} of a conversation or message name."""
    return "/".join(name.split("/", 2)[:2])


def space_of(document: str) -> str:
    """spaces/{s} of spaces/{s}/documents/{d} (or of a chunk name under it)."""
    return "/".join(document.split("/", 2)[:2])
