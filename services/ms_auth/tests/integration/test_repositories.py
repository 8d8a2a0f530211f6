"""The repositories on the real database: what commits, what rolls back, what races."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from knowledge_kit.auth import SigningKey
from knowledge_kit.errors import AlreadyExistsError
from knowledge_kit.events.outbox import Outbox
from knowledge_kit.events.tables import outbox_events
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_auth.domain.events import UserRegistered
from ms_auth.domain.service_accounts import ServiceAccount
from ms_auth.domain.sessions import RefreshToken, Session, SessionRevocationReason
from ms_auth.domain.signing_keys import SigningKeyVersion
from ms_auth.domain.throttling import SignInThrottle
from ms_auth.domain.users import PlatformRole, User
from ms_auth.repository.signing_keys import PrivateKeyCodec
from ms_auth.repository.tables import signing_keys
from ms_auth.repository.unit_of_work import SqlAuthUnitOfWork

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def unit_of_work(
    sessions: async_sessionmaker[AsyncSession], passphrase: bytes | None = None
) -> SqlAuthUnitOfWork:
    return SqlAuthUnitOfWork(sessions, codec=PrivateKeyCodec(passphrase), outbox=Outbox("ms_auth"))


def a_user(email: str) -> User:
    return User.register(
        email=email,
        display_name="Ada",
        password_hash="$argon2id$x",
        role=PlatformRole.MEMBER,
        now=NOW,
    )


async def outbox_size(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return int(
            (await session.execute(select(func.count()).select_from(outbox_events))).scalar_one()
        )


async def test_a_user_and_its_event_commit_together(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    user = a_user("ada@example.com")
    async with unit_of_work(sessions) as work:
        await work.users.add(user)
        await work.events.record(UserRegistered(user.id, user.email, user.display_name, user.role))
        await work.commit()
    async with unit_of_work(sessions) as work:
        assert await work.users.get_by_email("ada@example.com") == user
    assert await outbox_size(sessions) == 1


async def test_without_commit_neither_the_user_nor_its_event_remain(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    user = a_user("ada@example.com")
    async with unit_of_work(sessions) as work:
        await work.users.add(user)
        await work.events.record(UserRegistered(user.id, user.email, user.display_name, user.role))
    async with unit_of_work(sessions) as work:
        assert await work.users.get(user.id) is None
    assert await outbox_size(sessions) == 0


async def test_the_database_refuses_a_second_account_with_the_same_email(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with unit_of_work(sessions) as work:
        await work.users.add(a_user("ada@example.com"))
        await work.commit()
    with pytest.raises(AlreadyExistsError):
        async with unit_of_work(sessions) as work:
            await work.users.add(a_user("ada@example.com"))


async def test_open_sessions_page_newest_first_and_skip_ended_ones(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    user = a_user("ada@example.com")
    opened = [
        Session.open(
            user_id=user.id,
            user_agent="pytest",
            ip_address="::1",
            now=NOW + timedelta(minutes=minute),
            expire_time=NOW + timedelta(days=1),
        )
        for minute in range(4)
    ]
    opened[1].revoke_time = NOW
    async with unit_of_work(sessions) as work:
        await work.users.add(user)
        for session in opened:
            await work.sessions.add(session)
        await work.commit()
    async with unit_of_work(sessions) as work:
        first = await work.sessions.list_open(user.id, now=NOW, after=None, limit=2)
        last = first[-1]
        rest = await work.sessions.list_open(
            user.id, now=NOW, after=(last.create_time, last.id), limit=2
        )
        later = await work.sessions.list_open(
            user.id, now=NOW + timedelta(days=2), after=None, limit=10
        )
    assert [s.id for s in first + rest] == [opened[3].id, opened[2].id, opened[0].id]
    assert first[0].create_time == opened[3].create_time
    assert later == []


async def test_signing_keys_round_trip_encrypted_newest_activation_first(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    older = SigningKeyVersion(SigningKey.generate(), NOW)
    newer = SigningKeyVersion(SigningKey.generate("RS256"), NOW + timedelta(days=30))
    async with unit_of_work(sessions, b"passphrase") as work:
        await work.signing_keys.add(older)
        await work.signing_keys.add(newer)
        await work.commit()
    async with unit_of_work(sessions, b"passphrase") as work:
        keyring = await work.signing_keys.keyring()
    assert [v.kid for v in keyring.versions] == [newer.kid, older.kid]
    assert [v.activate_time for v in keyring.versions] == [newer.activate_time, NOW]
    assert [v.key.public_jwk() for v in keyring.versions] == [
        newer.key.public_jwk(),
        older.key.public_jwk(),
    ]
    async with sessions() as session:
        stored = (await session.execute(select(signing_keys.c.private_key))).scalars().all()
    assert all(pem.startswith(b"-----BEGIN ENCRYPTED PRIVATE KEY-----") for pem in stored)


async def test_service_accounts_are_saved_over_earlier_versions(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    account = ServiceAccount("ms_chat", "chat", ("vector.search",), "$argon2id$a", NOW)
    async with unit_of_work(sessions) as work:
        await work.service_accounts.save(account)
        await work.commit()
    account.scopes = ("vector.search", "knowledge.documents.read")
    async with unit_of_work(sessions) as work:
        await work.service_accounts.save(account)
        await work.commit()
    async with unit_of_work(sessions) as work:
        assert await work.service_accounts.get("ms_chat") == account


async def replaced(
    sessions: async_sessionmaker[AsyncSession],
    current: SignInThrottle | None,
    new: SignInThrottle,
) -> bool:
    async with unit_of_work(sessions) as work:
        won = await work.throttles.replace(current, new)
        await work.commit()
    return won


async def test_a_throttle_is_replaced_only_from_the_state_it_still_has(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    first = SignInThrottle("ada@example.com", 1, NOW)
    locked = SignInThrottle("ada@example.com", locked_until=NOW + timedelta(minutes=15))
    assert await replaced(sessions, None, first)
    assert not await replaced(sessions, None, SignInThrottle("ada@example.com", 1, NOW))
    assert await replaced(sessions, first, locked)
    assert not await replaced(sessions, first, SignInThrottle("ada@example.com", 2, NOW))
    assert await replaced(sessions, locked, locked.forgotten())
    async with unit_of_work(sessions) as work:
        assert await work.throttles.get("ada@example.com") == locked.forgotten()


async def test_of_concurrent_replacements_of_one_throttle_exactly_one_lands(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    counted = [SignInThrottle("ada@example.com", n, NOW) for n in range(1, 9)]
    recounted = [SignInThrottle("ada@example.com", n, NOW) for n in range(11, 19)]
    first_inserts = await asyncio.gather(*(replaced(sessions, None, t) for t in counted))
    stored = counted[first_inserts.index(True)]
    updates = await asyncio.gather(*(replaced(sessions, stored, t) for t in recounted))
    assert (first_inserts.count(True), updates.count(True)) == (1, 1)
    async with unit_of_work(sessions) as work:
        assert await work.throttles.get("ada@example.com") == recounted[updates.index(True)]


async def test_a_refresh_token_is_exchanged_once_and_a_session_revoked_once(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    user = a_user("ada@example.com")
    session = Session.open(
        user_id=user.id, user_agent="", ip_address="", now=NOW, expire_time=NOW + timedelta(days=1)
    )
    token = RefreshToken("hash", session.id, NOW, session.expire_time)
    async with unit_of_work(sessions) as work:
        await work.users.add(user)
        await work.sessions.add(session)
        await work.refresh_tokens.add(token)
        await work.commit()

    async def exchanged() -> bool:
        async with unit_of_work(sessions) as work:
            won = await work.refresh_tokens.exchange(replace(token), NOW)
            await work.commit()
        return won

    assert sorted(await asyncio.gather(*(exchanged() for _ in range(8)))) == [False] * 7 + [True]
    async with unit_of_work(sessions) as work:
        session.revoke(SessionRevocationReason.LOGOUT, NOW)
        assert await work.sessions.revoke(session)
        assert not await work.sessions.revoke(session)
        session.refreshed(NOW, NOW + timedelta(days=2))
        assert not await work.sessions.extend(session)
        await work.commit()
    async with unit_of_work(sessions) as work:
        stored = await work.refresh_tokens.get("hash")
        ended = await work.sessions.get(session.id)
    assert stored is not None and stored.exchange_time == NOW
    assert ended is not None
    assert (ended.revocation_reason, ended.expire_time) == (
        SessionRevocationReason.LOGOUT,
        NOW + timedelta(days=1),
    )
