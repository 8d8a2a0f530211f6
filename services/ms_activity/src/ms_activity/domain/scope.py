"""Whose activities a timeline or an aggregate is about, read from its parent's name."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from knowledge_kit.errors import FieldViolation, ValidationError

from .names import SPACE, USER, is_resource, owner_of, space_of


class ScopeKind(Enum):
    PLATFORM = "platform"  # everything (administrators)
    ACTOR = "actor"  # what a user did: users/{user}
    SPACE = "space"  # what happened in a space: spaces/{space}
    SUBJECT = "subject"  # what happened to a resource or the resources below it


@dataclass(frozen=True, slots=True)
class Scope:
    kind: ScopeKind
    name: str  # "" for the platform

    @property
    def space(self) -> str:
        """The space whose members may see it ("" when none)."""
        return space_of(self.name)

    @property
    def owner(self) -> str:
        """The user whose own resource it is ("" when none)."""
        return owner_of(self.name)


def scope_of(parent: str, *, platform_allowed: bool) -> Scope:
    """The scope a parent names; INVALID_ARGUMENT naming `parent` when it names none."""
    if not parent and platform_allowed:
        return Scope(ScopeKind.PLATFORM, "")
    if USER.matches(parent):
        return Scope(ScopeKind.ACTOR, parent)
    if SPACE.matches(parent):
        return Scope(ScopeKind.SPACE, parent)
    if is_resource(parent):
        return Scope(ScopeKind.SUBJECT, parent)
    expected = "users/{user}, spaces/{space} or a resource name"
    raise ValidationError(
        f"parent is not a user, a space or a resource (got {parent[:80]!r})",
        [
            FieldViolation(
                "parent", f"must be {expected}" + (", or empty" if platform_allowed else "")
            )
        ],
    )
