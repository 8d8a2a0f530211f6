"""Registering and signing in with an email and a password."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from knowledge_kit.api import Clock
from knowledge_kit.errors import AlreadyExistsError

from ..domain.credentials import PasswordHasher, checked_registration, checked_sign_in
from ..domain.events import UserRegistered
from ..domain.sessions import Session
from ..domain.unit_of_work import AuthUnitOfWork
from ..domain.users import PlatformRole, User
from .policy import AuthPolicy
from .throttle_guard import ThrottledSecretCheck
from .tokens import TokenIssuer, TokenPair


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The account, its new session and the session's first tokens."""

    user: User
    session: Session
    tokens: TokenPair


@dataclass(frozen=True, slots=True)
class ClientDetails:
    """Where a sign-in came from, shown later in the session list."""

    user_agent: str = ""
    ip_address: str = ""


class SignInUseCases:
    """Register and log in; failed log-ins count towards a lockout of the email."""

    def __init__(
        self,
        unit_of_work: Callable[[], AuthUnitOfWork],
        *,
        hasher: PasswordHasher,
        tokens: TokenIssuer,
        policy: AuthPolicy,
        clock: Clock,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._hasher = hasher
        self._tokens = tokens
        self._policy = policy
        self._clock = clock
        self._secret_check = ThrottledSecretCheck(unit_of_work, hasher, policy.lockout, clock)

    async def register(
        self, email: str, password: str, display_name: str, client: ClientDetails
    ) -> SignedIn:
        """Create an account and sign it in; ALREADY_EXISTS when the email is taken."""
        registration = checked_registration(email, password, display_name)
        password_hash = await self._hasher.hash(registration.password)
        async with self._unit_of_work() as work:
            if await work.users.get_by_email(registration.email) is not None:
                raise AlreadyExistsError("an account with this email already exists")
            role = (
                PlatformRole.ADMIN
                if registration.email in self._policy.admin_emails
                else PlatformRole.MEMBER
            )
            user = User.register(
                email=registration.email,
                display_name=registration.display_name,
                password_hash=password_hash,
                role=role,
                now=self._clock(),
            )
            await work.users.add(user)
            await work.events.record(
                UserRegistered(user.id, user.email, user.display_name, user.role)
            )
            session, tokens = await self._tokens.open_session(
                work, user, user_agent=client.user_agent, ip_address=client.ip_address
            )
            await work.commit()
        return SignedIn(user, session, tokens)

    async def login(self, email: str, password: str, client: ClientDetails) -> SignedIn:
        """Open a session; UNAUTHENTICATED on a wrong email or password, RESOURCE_EXHAUSTED
        while the email is locked after repeated failures."""
        email = checked_sign_in(email, password)
        async with self._unit_of_work() as work:
            user = await work.users.get_by_email(email)
        await self._secret_check.verify(
            email, user.password_hash if user else None, password, refusal="wrong email or password"
        )
        assert user is not None  # a secret only matches an existing account's hash
        async with self._unit_of_work() as work:
            if self._hasher.needs_rehash(user.password_hash):
                user.password_hash = await self._hasher.hash(password)
                await work.users.update(user)
            session, tokens = await self._tokens.open_session(
                work, user, user_agent=client.user_agent, ip_address=client.ip_address
            )
            await work.commit()
        return SignedIn(user, session, tokens)
