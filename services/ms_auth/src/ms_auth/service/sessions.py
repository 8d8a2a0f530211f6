"""Refresh-token rotation with reuse detection, signing out, listing and revoking sessions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from knowledge_kit.api import Clock, PageTokens
from knowledge_kit.auth import Principal
from knowledge_kit.errors import (
    FieldViolation,
    NotFoundError,
    UnauthenticatedError,
    ValidationError,
)

from ..domain.events import SessionRevoked
from ..domain.sessions import (
    RefreshToken,
    Session,
    SessionRevocationReason,
    refresh_token_hash,
    session_name_parts,
)
from ..domain.unit_of_work import AuthUnitOfWork
from .callers import current_caller
from .tokens import TokenIssuer, TokenPair


class RefreshTokenReusedError(UnauthenticatedError):
    """An already exchanged refresh token came back: its whole session has been revoked."""

    def __init__(self) -> None:
        super().__init__("refresh token was already used; its session has been revoked")


@dataclass(frozen=True, slots=True)
class SessionPage:
    """One page of a user's open sessions; `current_session_id` is the caller's own."""

    sessions: list[Session]
    next_page_token: str
    current_session_id: str | None


class SessionUseCases:
    """What a signed-in user (or an administrator) does with sessions."""

    def __init__(
        self,
        unit_of_work: Callable[[], AuthUnitOfWork],
        *,
        tokens: TokenIssuer,
        pages: PageTokens,
        clock: Clock,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._tokens = tokens
        self._pages = pages
        self._clock = clock

    async def refresh(self, refresh_token: str) -> TokenPair:
        """Exchange a refresh token for a new pair; presenting one twice revokes its session.

        Of concurrent exchanges of one token exactly one wins: the others count as its reuse.
        """
        async with self._unit_of_work() as work:
            stored, session = await self._presented(work, refresh_token)
            now = self._clock()
            if not stored.was_exchanged:
                if session.revoke_time is not None:
                    raise UnauthenticatedError("the session of this refresh token has ended")
                if stored.is_expired(now) or not session.is_open(now):
                    raise UnauthenticatedError("refresh token expired")
                user = await work.users.get(session.user_id)
                if user is None:
                    raise UnauthenticatedError("the account of this session no longer exists")
                if await work.refresh_tokens.exchange(stored, now):
                    tokens = await self._tokens.rotate(work, user, session)
                    await work.commit()
                    return tokens
            # Exchanged before, or by a concurrent refresh that won: the token came back.
            await self._revoke(work, session, SessionRevocationReason.REFRESH_TOKEN_REUSE)
            await work.commit()
        raise RefreshTokenReusedError()

    async def logout(self, refresh_token: str) -> None:
        """End the session the refresh token belongs to; signing out twice is harmless."""
        async with self._unit_of_work() as work:
            stored, session = await self._presented(work, refresh_token)
            if session.revoke_time is not None:
                return
            if not stored.was_exchanged and await work.refresh_tokens.exchange(
                stored, self._clock()
            ):
                await self._revoke(work, session, SessionRevocationReason.LOGOUT)
                await work.commit()
                return
            # Exchanged before (or meanwhile): a reuse, unless the session ended meanwhile.
            if await self._revoke(work, session, SessionRevocationReason.REFRESH_TOKEN_REUSE):
                await work.commit()
                raise RefreshTokenReusedError()

    async def list_sessions(
        self, principal: Principal, parent: str, page_size: int, page_token: str
    ) -> SessionPage:
        """Open sessions of the user `parent` names, newest first."""
        async with self._unit_of_work() as work:
            caller = await current_caller(work, principal, self._clock)
            user_id = caller.user_id_named(parent, "parent")
            # Bound to the account, so users/me and users/{id} continue each other's pages.
            request = self._pages.request(page_size, page_token, listing=(user_id,))
            caller.require_self_or_admin(user_id, "list its sessions")
            after = (
                (datetime.fromisoformat(str(request.after[0])), str(request.after[1]))
                if request.after
                else None
            )
            sessions = await work.sessions.list_open(
                user_id, now=self._clock(), after=after, limit=request.fetch_limit
            )
        page = request.page(sessions, lambda last: [last.create_time.isoformat(), last.id])
        return SessionPage(page.items, page.next_page_token, caller.principal.session_id)

    async def revoke_session(self, principal: Principal, name: str) -> None:
        """End one session at once; revoking an ended session again changes nothing."""
        user_id, session_id = session_name_parts(name)
        async with self._unit_of_work() as work:
            caller = await current_caller(work, principal, self._clock)
            caller.require_self_or_admin(user_id, "revoke its sessions")
            session = await work.sessions.get(session_id)
            if session is None or session.user_id != user_id:
                raise NotFoundError(f"{name} does not exist")
            await self._revoke(work, session, SessionRevocationReason.REVOKED)
            await work.commit()

    async def _presented(
        self, work: AuthUnitOfWork, refresh_token: str
    ) -> tuple[RefreshToken, Session]:
        if not refresh_token:
            raise ValidationError(
                "a refresh token is needed", [FieldViolation("refresh_token", "must not be empty")]
            )
        stored = await work.refresh_tokens.get(refresh_token_hash(refresh_token))
        session = await work.sessions.get(stored.session_id) if stored else None
        if stored is None or session is None:
            raise UnauthenticatedError("refresh token is not valid")
        return stored, session

    async def _revoke(
        self, work: AuthUnitOfWork, session: Session, reason: SessionRevocationReason
    ) -> bool:
        """End the session unless it has ended; only the revocation that ends it is announced."""
        if not session.revoke(reason, self._clock()) or not await work.sessions.revoke(session):
            return False
        await work.events.record(SessionRevoked(session.user_id, session.id, reason))
        return True
