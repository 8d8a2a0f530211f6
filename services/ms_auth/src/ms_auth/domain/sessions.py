"""Sessions: one sign-in of a user, carried forward by a chain of single-use refresh tokens."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from knowledge_kit.api import ResourcePattern

from .users import GENERATED_ID

SESSION_NAME = ResourcePattern(
    "users/{user}/sessions/{session}", user=GENERATED_ID, session=GENERATED_ID
)
USER_AGENT_MAX_LENGTH = 512


class SessionRevocationReason(StrEnum):
    """Why a session ended before it expired."""

    LOGOUT = "logout"
    REFRESH_TOKEN_REUSE = "refresh_token_reuse"
    REVOKED = "revoked"


@dataclass(slots=True)
class Session:
    """A sign-in, named `users/{user}/sessions/{id}`; open until it expires or is revoked."""

    id: str
    user_id: str
    user_agent: str
    ip_address: str
    create_time: datetime
    expire_time: datetime
    last_refresh_time: datetime | None = None
    revoke_time: datetime | None = None
    revocation_reason: SessionRevocationReason | None = None

    @property
    def name(self) -> str:
        return f"users/{self.user_id}/sessions/{self.id}"

    @classmethod
    def open(
        cls, *, user_id: str, user_agent: str, ip_address: str, now: datetime, expire_time: datetime
    ) -> Session:
        """A new session of `user_id`."""
        return cls(
            id=uuid.uuid4().hex,
            user_id=user_id,
            user_agent=user_agent[:USER_AGENT_MAX_LENGTH],
            ip_address=ip_address,
            create_time=now,
            expire_time=expire_time,
        )

    def is_open(self, now: datetime) -> bool:
        """Neither revoked nor expired at `now`."""
        return self.revoke_time is None and now < self.expire_time

    def revoke(self, reason: SessionRevocationReason, now: datetime) -> bool:
        """End the session; False when it had already been revoked."""
        if self.revoke_time is not None:
            return False
        self.revoke_time = now
        self.revocation_reason = reason
        return True

    def refreshed(self, now: datetime, expire_time: datetime) -> None:
        """A refresh token was exchanged: the session lives until the new one expires."""
        self.last_refresh_time = now
        self.expire_time = expire_time


@dataclass(slots=True)
class RefreshToken:
    """One link of a session's chain; only the token's hash is ever stored."""

    token_hash: str
    session_id: str
    issue_time: datetime
    expire_time: datetime
    exchange_time: datetime | None = None

    def is_expired(self, now: datetime) -> bool:
        return now >= self.expire_time

    @property
    def was_exchanged(self) -> bool:
        """True once it has been traded for a new pair (or spent by a sign-out)."""
        return self.exchange_time is not None


def refresh_token_hash(token: str) -> str:
    """The stored form of a refresh token: high-entropy tokens need no slow hash, only SHA-256."""
    return hashlib.sha256(token.encode()).hexdigest()


def session_name_parts(name: str, field: str = "name") -> tuple[str, str]:
    """(user id, session id) of `users/{user}/sessions/{session}`, or a ValidationError."""
    ids = SESSION_NAME.parse(name, field)
    return ids["user"], ids["session"]


class SessionRepository(Protocol):
    """Where sessions are kept."""

    async def add(self, session: Session) -> None: ...

    async def get(self, session_id: str) -> Session | None: ...

    async def extend(self, session: Session) -> bool:
        """Store the session's last refresh and expiry if it has not been revoked; False, storing
        nothing, when it has (a revocation is never undone by a refresh that read it open)."""
        ...

    async def revoke(self, session: Session) -> bool:
        """Store the session's revocation unless it is already revoked; False when another
        revocation came first (its reason stands)."""
        ...

    async def list_open(
        self, user_id: str, *, now: datetime, after: tuple[datetime, str] | None, limit: int
    ) -> list[Session]:
        """Open sessions of `user_id`, newest first, starting after (create_time, id) `after`."""
        ...


class RefreshTokenRepository(Protocol):
    """Where refresh token hashes are kept."""

    async def add(self, token: RefreshToken) -> None: ...

    async def get(self, token_hash: str) -> RefreshToken | None: ...

    async def exchange(self, token: RefreshToken, now: datetime) -> bool:
        """Mark the token exchanged at `now` unless it already is: of concurrent exchanges of
        one token exactly one gets True, and the others know the token came back."""
        ...
