"""Minting tokens: access tokens per the kit's claims convention, single-use refresh tokens."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from knowledge_kit.api import Clock
from knowledge_kit.auth import SigningKey
from knowledge_kit.errors import UnauthenticatedError

from ..domain.service_accounts import ServiceAccount
from ..domain.sessions import RefreshToken, Session, refresh_token_hash
from ..domain.signing_keys import SigningKeyVersion
from ..domain.unit_of_work import AuthUnitOfWork
from ..domain.users import User
from .policy import AuthPolicy

SCOPE_CLAIM = "scope"
REFRESH_TOKEN_BYTES = 32


@dataclass(frozen=True, slots=True)
class TokenPair:
    """What a sign-in or refresh returns: a short-lived access token and its refresh token."""

    access_token: str
    access_token_expire_time: datetime
    refresh_token: str
    refresh_token_expire_time: datetime


@dataclass(frozen=True, slots=True)
class AccessToken:
    """An access token alone (service accounts have no refresh tokens)."""

    token: str
    expire_time: datetime


class TokenIssuer:
    """Signs with the current signing key (creating the first one on a fresh database)."""

    def __init__(self, policy: AuthPolicy, clock: Clock, *, key_algorithm: str = "EdDSA") -> None:
        self._policy = policy
        self._clock = clock
        self._key_algorithm = key_algorithm

    async def open_session(
        self, work: AuthUnitOfWork, user: User, *, user_agent: str, ip_address: str
    ) -> tuple[Session, TokenPair]:
        """Start a session for `user` and its first token pair."""
        now = self._clock()
        session = Session.open(
            user_id=user.id,
            user_agent=user_agent,
            ip_address=ip_address,
            now=now,
            expire_time=now + self._policy.refresh_token_ttl,
        )
        await work.sessions.add(session)
        return session, await self._issue_pair(work, user, session, now)

    async def rotate(self, work: AuthUnitOfWork, user: User, session: Session) -> TokenPair:
        """The next pair of `session`, whose refresh token the caller has just exchanged;
        UNAUTHENTICATED when the session has been revoked since it was read."""
        now = self._clock()
        session.refreshed(now, now + self._policy.refresh_token_ttl)
        if not await work.sessions.extend(session):
            raise UnauthenticatedError("the session of this refresh token has ended")
        return await self._issue_pair(work, user, session, now)

    async def for_service_account(
        self,
        work: AuthUnitOfWork,
        account: ServiceAccount,
        scopes: Sequence[str],
        audience: str | None,
    ) -> AccessToken:
        """An access token for `account` carrying `scopes`, also addressed to `audience`."""
        key = await self.signing_key(work)
        ttl = self._policy.service_account_token_ttl
        claims: dict[str, object] = {SCOPE_CLAIM: " ".join(scopes)}
        if audience is not None:
            claims["aud"] = [self._policy.audience, audience]
        token = key.issue(
            subject=account.name,
            issuer=self._policy.issuer,
            audience=self._policy.audience,
            ttl_seconds=ttl.total_seconds(),
            extra_claims=claims,
        )
        return AccessToken(token, self._clock() + ttl)

    async def signing_key(self, work: AuthUnitOfWork) -> SigningKey:
        """The key that signs new tokens."""
        now = self._clock()
        current = (await work.signing_keys.keyring()).current(now)
        if current is None:
            current = SigningKeyVersion(SigningKey.generate(self._key_algorithm), now)
            await work.signing_keys.add(current)
        return current.key

    async def _issue_pair(
        self, work: AuthUnitOfWork, user: User, session: Session, now: datetime
    ) -> TokenPair:
        refresh_token = secrets.token_urlsafe(REFRESH_TOKEN_BYTES)
        stored = RefreshToken(
            token_hash=refresh_token_hash(refresh_token),
            session_id=session.id,
            issue_time=now,
            expire_time=session.expire_time,
        )
        await work.refresh_tokens.add(stored)
        key = await self.signing_key(work)
        access_token = key.issue(
            subject=user.name,
            issuer=self._policy.issuer,
            audience=self._policy.audience,
            roles=[user.role.value],
            session_id=session.id,
            ttl_seconds=self._policy.access_token_ttl.total_seconds(),
        )
        return TokenPair(
            access_token=access_token,
            access_token_expire_time=now + self._policy.access_token_ttl,
            refresh_token=refresh_token,
            refresh_token_expire_time=stored.expire_time,
        )
