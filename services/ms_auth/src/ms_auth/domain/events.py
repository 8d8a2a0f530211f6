"""What the Auth service tells the rest of the platform, recorded with the change that caused it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .sessions import SessionRevocationReason
from .users import PlatformRole


@dataclass(frozen=True, slots=True)
class UserRegistered:
    """A new account exists."""

    user_id: str
    email: str
    display_name: str
    role: PlatformRole


@dataclass(frozen=True, slots=True)
class UserRoleChanged:
    """An account's platform role changed, by the named actor."""

    user_id: str
    previous_role: PlatformRole
    role: PlatformRole
    changed_by: str
    changed_by_display_name: str


@dataclass(frozen=True, slots=True)
class SessionRevoked:
    """A session ended before it expired."""

    user_id: str
    session_id: str
    reason: SessionRevocationReason


AuthEvent = UserRegistered | UserRoleChanged | SessionRevoked


class EventRecorder(Protocol):
    """Records events in the transaction of the change; they are published after it commits."""

    async def record(self, event: AuthEvent) -> None: ...
