"""Which timelines an activity shows on, and the timeline key a scope reads.

An activity shows on its actor's timeline, its space's, its subject's and that of every resource
above its subject (a document's version is in the document's history). Top-level spaces and
users are left out of the subject keys: their timelines are the space and actor ones.
"""

from __future__ import annotations

from ..domain.scope import ScopeKind

PLATFORM = "platform"
_SCOPED_ELSEWHERE = ("spaces/", "users/")


def timelines_of(actor: str, space: str, subject: str) -> list[str]:
    keys: list[str] = []
    if actor:
        keys.append(f"actor:{actor}")
    if space:
        keys.append(f"space:{space}")
    parts = subject.split("/") if subject else []
    for length in range(2, len(parts) + 1, 2):
        resource = "/".join(parts[:length])
        if length == 2 and resource.startswith(_SCOPED_ELSEWHERE):
            continue
        keys.append(f"subject:{resource}")
    if len(parts) % 2 == 1:  # not collection/id pairs: the subject as it is
        keys.append(f"subject:{subject}")
    return list(dict.fromkeys(keys))


def timeline_key(kind: ScopeKind, scope: str) -> str:
    """The key of a scope's timeline ("platform" for the whole platform)."""
    if kind is ScopeKind.PLATFORM:
        return PLATFORM
    if kind is ScopeKind.SUBJECT and scope.startswith(_SCOPED_ELSEWHERE) and scope.count("/") == 1:
        # spaces/{s} or users/{u} named as a resource: what happened to it is its space or actor
        # timeline.
        return f"space:{scope}" if scope.startswith("spaces/") else f"actor:{scope}"
    return f"{kind.value}:{scope}"
