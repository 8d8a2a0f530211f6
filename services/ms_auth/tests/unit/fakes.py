"""In-memory stand-ins for the repositories, with real commit/rollback, and a settable clock.

Conditional writes check the same conditions as the SQL ones; unit tests run one unit of work at
a time, and what concurrent ones get is tested on the real databases (tests/grpc_api).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Self

from ms_auth.domain.events import AuthEvent, EventRecorder
from ms_auth.domain.service_accounts import ServiceAccount, ServiceAccountRepository
from ms_auth.domain.sessions import (
    RefreshToken,
    RefreshTokenRepository,
    Session,
    SessionRepository,
)
from ms_auth.domain.signing_keys import SigningKeyRepository, SigningKeyring, SigningKeyVersion
from ms_auth.domain.throttling import SignInThrottle, SignInThrottleRepository
from ms_auth.domain.users import PlatformRole, User, UserRepository


class FakeClock:
    """A clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class AuthState:
    """Everything the service keeps; a unit of work edits a copy and swaps it in on commit."""

    users: dict[str, User] = field(default_factory=dict)
    sessions: dict[str, Session] = field(default_factory=dict)
    refresh_tokens: dict[str, RefreshToken] = field(default_factory=dict)
    throttles: dict[str, SignInThrottle] = field(default_factory=dict)
    signing_keys: list[SigningKeyVersion] = field(default_factory=list)
    service_accounts: dict[str, ServiceAccount] = field(default_factory=dict)
    events: list[AuthEvent] = field(default_factory=list)

    def copy(self) -> AuthState:
        return AuthState(
            users={k: replace(v) for k, v in self.users.items()},
            sessions={k: replace(v) for k, v in self.sessions.items()},
            refresh_tokens={k: replace(v) for k, v in self.refresh_tokens.items()},
            throttles={k: replace(v) for k, v in self.throttles.items()},
            signing_keys=list(self.signing_keys),
            service_accounts={k: replace(v) for k, v in self.service_accounts.items()},
            events=list(self.events),
        )


class FakeUsers:
    def __init__(self, state: AuthState) -> None:
        self._state = state

    async def add(self, user: User) -> None:
        self._state.users[user.id] = user

    async def get(self, user_id: str) -> User | None:
        return self._state.users.get(user_id)

    async def get_by_email(self, email: str) -> User | None:
        return next((u for u in self._state.users.values() if u.email == email), None)

    async def update(self, user: User) -> None:
        self._state.users[user.id] = user

    async def count_with_role(self, role: PlatformRole) -> int:
        return sum(1 for u in self._state.users.values() if u.role is role)

    async def list_by_email(self, *, after_email: str | None, limit: int) -> list[User]:
        users = sorted(self._state.users.values(), key=lambda u: u.email)
        return [u for u in users if after_email is None or u.email > after_email][:limit]


class FakeSessions:
    def __init__(self, state: AuthState) -> None:
        self._state = state

    async def add(self, session: Session) -> None:
        self._state.sessions[session.id] = session

    async def get(self, session_id: str) -> Session | None:
        # A copy, as a database hands out: changing it changes nothing stored.
        stored = self._state.sessions.get(session_id)
        return replace(stored) if stored else None

    async def extend(self, session: Session) -> bool:
        stored = self._unrevoked(session.id)
        if stored is None:
            return False
        stored.last_refresh_time, stored.expire_time = (
            session.last_refresh_time,
            session.expire_time,
        )
        return True

    async def revoke(self, session: Session) -> bool:
        stored = self._unrevoked(session.id)
        if stored is None:
            return False
        stored.revoke_time, stored.revocation_reason = (
            session.revoke_time,
            session.revocation_reason,
        )
        return True

    def _unrevoked(self, session_id: str) -> Session | None:
        stored = self._state.sessions.get(session_id)
        return stored if stored is not None and stored.revoke_time is None else None

    async def list_open(
        self, user_id: str, *, now: datetime, after: tuple[datetime, str] | None, limit: int
    ) -> list[Session]:
        sessions = sorted(
            (s for s in self._state.sessions.values() if s.user_id == user_id and s.is_open(now)),
            key=lambda s: (s.create_time, s.id),
            reverse=True,
        )
        return [s for s in sessions if after is None or (s.create_time, s.id) < after][:limit]


class FakeRefreshTokens:
    def __init__(self, state: AuthState) -> None:
        self._state = state

    async def add(self, token: RefreshToken) -> None:
        self._state.refresh_tokens[token.token_hash] = token

    async def get(self, token_hash: str) -> RefreshToken | None:
        stored = self._state.refresh_tokens.get(token_hash)
        return replace(stored) if stored else None

    async def exchange(self, token: RefreshToken, now: datetime) -> bool:
        stored = self._state.refresh_tokens.get(token.token_hash)
        if stored is None or stored.was_exchanged:
            return False
        self._state.refresh_tokens[token.token_hash] = replace(stored, exchange_time=now)
        token.exchange_time = now
        return True


class FakeThrottles:
    def __init__(self, state: AuthState) -> None:
        self._state = state

    async def get(self, subject: str) -> SignInThrottle | None:
        return self._state.throttles.get(subject)

    async def replace(self, current: SignInThrottle | None, new: SignInThrottle) -> bool:
        if self._state.throttles.get(new.subject) != current:
            return False
        self._state.throttles[new.subject] = new
        return True


class FakeSigningKeys:
    def __init__(self, state: AuthState) -> None:
        self._state = state

    async def add(self, version: SigningKeyVersion) -> None:
        self._state.signing_keys.append(version)

    async def keyring(self) -> SigningKeyring:
        newest_first = sorted(self._state.signing_keys, key=lambda v: v.activate_time, reverse=True)
        return SigningKeyring(newest_first)


class FakeServiceAccounts:
    def __init__(self, state: AuthState) -> None:
        self._state = state

    async def get(self, account_id: str) -> ServiceAccount | None:
        return self._state.service_accounts.get(account_id)

    async def save(self, account: ServiceAccount) -> None:
        self._state.service_accounts[account.id] = account


class FakeEvents:
    def __init__(self, state: AuthState) -> None:
        self._state = state

    async def record(self, event: AuthEvent) -> None:
        self._state.events.append(event)


class FakeStore:
    """The committed state; `unit_of_work()` opens a transaction over a copy of it."""

    def __init__(self) -> None:
        self.state = AuthState()

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self)


class FakeUnitOfWork:
    def __init__(self, store: FakeStore) -> None:
        self._store = store
        self._state = store.state
        self._attach()

    async def __aenter__(self) -> Self:
        self._state = self._store.state.copy()
        self._attach()
        return self

    def _attach(self) -> None:
        self.users: UserRepository = FakeUsers(self._state)
        self.sessions: SessionRepository = FakeSessions(self._state)
        self.refresh_tokens: RefreshTokenRepository = FakeRefreshTokens(self._state)
        self.throttles: SignInThrottleRepository = FakeThrottles(self._state)
        self.signing_keys: SigningKeyRepository = FakeSigningKeys(self._state)
        self.service_accounts: ServiceAccountRepository = FakeServiceAccounts(self._state)
        self.events: EventRecorder = FakeEvents(self._state)

    async def commit(self) -> None:
        self._store.state = self._state

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None
