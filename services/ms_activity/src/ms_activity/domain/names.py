"""The resource names the service reads and writes (AIP-122)."""

from __future__ import annotations

import re
from functools import lru_cache

from knowledge_kit.api import ID_SEGMENT, ResourcePattern
from knowledge_kit.errors import FieldViolation, ValidationError

# A user's id as the platform's tokens name them (wider than generated ids).
USER_ID = r"[A-Za-z0-9._~-]{1,128}"
USER = ResourcePattern("users/{user}", user=USER_ID)
SPACE = ResourcePattern("spaces/{space}")
ERASURE = ResourcePattern("users/{user}/erasures/{erasure}", user=USER_ID)
ACTIVITY_PREFIX = "activities/"

MAX_NAME_CHARS = 512
# Any resource of the platform: collection/id pairs, e.g. spaces/s1/documents/d1/versions/3.
_RESOURCE = re.compile(
    rf"[a-z][A-Za-z0-9]{{0,62}}/{ID_SEGMENT}(?:/[a-z][A-Za-z0-9]{{0,62}}/{ID_SEGMENT})*"
)
_SERVICE_ACCOUNT = ResourcePattern("serviceAccounts/{account}")


# Names repeat (the same actors, documents and spaces event after event): each is checked once.
_SEEN_NAMES = 65_536


@lru_cache(maxsize=_SEEN_NAMES)
def is_resource(value: str) -> bool:
    return len(value) <= MAX_NAME_CHARS and _RESOURCE.fullmatch(value) is not None


def checked_resource(value: str, field: str) -> str:
    """`value` when it is a resource name; INVALID_ARGUMENT naming `field` otherwise."""
    if not is_resource(value):
        raise ValidationError(
            f"{field} is not a resource name (got {value[:80]!r})",
            [FieldViolation(field, "must be a resource name such as spaces/s1/documents/d1")],
        )
    return value


@lru_cache(maxsize=_SEEN_NAMES)
def is_principal(value: str) -> bool:
    """users/{user} or serviceAccounts/{account}: who may be an actor."""
    return USER.matches(value) or _SERVICE_ACCOUNT.matches(value)


@lru_cache(maxsize=_SEEN_NAMES)
def space_of(resource: str) -> str:
    """spaces/{space} of a resource in a space (or of the space itself); "" otherwise."""
    parts = resource.split("/", 2)
    if len(parts) >= 2 and parts[0] == "spaces" and SPACE.matches(f"spaces/{parts[1]}"):
        return f"spaces/{parts[1]}"
    return ""


def owner_of(resource: str) -> str:
    """users/{user} of a user's own resource (or of the user); "" otherwise."""
    parts = resource.split("/", 2)
    if len(parts) >= 2 and parts[0] == "users" and USER.matches(f"users/{parts[1]}"):
        return f"users/{parts[1]}"
    return ""


def activity_name(activity_id: str) -> str:
    return f"{ACTIVITY_PREFIX}{activity_id}"


def erasure_name(user: str, erasure_id: str) -> str:
    return f"{user}/erasures/{erasure_id}"
