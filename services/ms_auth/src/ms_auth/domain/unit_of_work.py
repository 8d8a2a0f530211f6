"""One transaction over everything the Auth service keeps."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol, Self

from .events import EventRecorder
from .service_accounts import ServiceAccountRepository
from .sessions import RefreshTokenRepository, SessionRepository
from .signing_keys import SigningKeyRepository
from .throttling import SignInThrottleRepository
from .users import UserRepository


class AuthUnitOfWork(Protocol):
    """Leaving it without `commit()` rolls back state changes and recorded events alike."""

    users: UserRepository
    sessions: SessionRepository
    refresh_tokens: RefreshTokenRepository
    throttles: SignInThrottleRepository
    signing_keys: SigningKeyRepository
    service_accounts: ServiceAccountRepository
    events: EventRecorder

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None: ...
