"""Sessions and the hashes of their refresh tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.sessions import RefreshToken, Session, SessionRevocationReason
from .conditional import changed_one_row
from .tables import refresh_tokens, sessions


class SqlSessionRepository:
    """Maps sessions to rows within one session (of the database); a refresh or a revocation
    changes a session only while it is unrevoked, in one conditional UPDATE (see `conditional`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._db = session

    async def add(self, session: Session) -> None:
        await self._db.execute(insert(sessions).values(**_session_row(session)))

    async def get(self, session_id: str) -> Session | None:
        statement = select(sessions).where(sessions.c.id == session_id)
        row = (await self._db.execute(statement)).one_or_none()
        return _session(row) if row is not None else None

    async def extend(self, session: Session) -> bool:
        return await self._update_open(
            session,
            last_refresh_time=session.last_refresh_time,
            expire_time=session.expire_time,
        )

    async def revoke(self, session: Session) -> bool:
        row = _session_row(session)
        return await self._update_open(
            session, revoke_time=row["revoke_time"], revocation_reason=row["revocation_reason"]
        )

    async def _update_open(self, session: Session, **values: Any) -> bool:
        statement = (
            update(sessions)
            .where(sessions.c.id == session.id, sessions.c.revoke_time.is_(None))
            .values(**values)
        )
        return await changed_one_row(self._db, statement)

    async def list_open(
        self, user_id: str, *, now: datetime, after: tuple[datetime, str] | None, limit: int
    ) -> list[Session]:
        statement = (
            select(sessions)
            .where(
                sessions.c.user_id == user_id,
                sessions.c.revoke_time.is_(None),
                sessions.c.expire_time > now,
            )
            .order_by(sessions.c.create_time.desc(), sessions.c.id.desc())
            .limit(limit)
        )
        if after is not None:
            created, session_id = after
            statement = statement.where(
                or_(
                    sessions.c.create_time < created,
                    and_(sessions.c.create_time == created, sessions.c.id < session_id),
                )
            )
        return [_session(row) for row in await self._db.execute(statement)]


class SqlRefreshTokenRepository:
    """Maps refresh token hashes to rows; `exchange` is one conditional UPDATE (see
    `conditional`), so of concurrent exchanges of a token exactly one wins."""

    def __init__(self, session: AsyncSession) -> None:
        self._db = session

    async def add(self, token: RefreshToken) -> None:
        await self._db.execute(insert(refresh_tokens).values(**_token_row(token)))

    async def get(self, token_hash: str) -> RefreshToken | None:
        statement = select(refresh_tokens).where(refresh_tokens.c.token_hash == token_hash)
        row = (await self._db.execute(statement)).one_or_none()
        if row is None:
            return None
        return RefreshToken(
            token_hash=row.token_hash,
            session_id=row.session_id,
            issue_time=row.issue_time,
            expire_time=row.expire_time,
            exchange_time=row.exchange_time,
        )

    async def exchange(self, token: RefreshToken, now: datetime) -> bool:
        statement = (
            update(refresh_tokens)
            .where(
                refresh_tokens.c.token_hash == token.token_hash,
                refresh_tokens.c.exchange_time.is_(None),
            )
            .values(exchange_time=now)
        )
        if not await changed_one_row(self._db, statement):
            return False
        token.exchange_time = now
        return True


def _session_row(session: Session) -> dict[str, Any]:
    return {
        "id": session.id,
        "user_id": session.user_id,
        "user_agent": session.user_agent,
        "ip_address": session.ip_address,
        "create_time": session.create_time,
        "expire_time": session.expire_time,
        "last_refresh_time": session.last_refresh_time,
        "revoke_time": session.revoke_time,
        "revocation_reason": session.revocation_reason.value if session.revocation_reason else None,
    }


def _session(row: Any) -> Session:
    return Session(
        id=row.id,
        user_id=row.user_id,
        user_agent=row.user_agent,
        ip_address=row.ip_address,
        create_time=row.create_time,
        expire_time=row.expire_time,
        last_refresh_time=row.last_refresh_time,
        revoke_time=row.revoke_time,
        revocation_reason=(
            SessionRevocationReason(row.revocation_reason) if row.revocation_reason else None
        ),
    )


def _token_row(token: RefreshToken) -> dict[str, Any]:
    return {
        "token_hash": token.token_hash,
        "session_id": token.session_id,
        "issue_time": token.issue_time,
        "expire_time": token.expire_time,
        "exchange_time": token.exchange_time,
    }
