"""Events leave through the outbox and arrive on the registry's topics in the platform envelope."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from knowledge.auth.v1 import events_pb2, session_pb2, user_pb2
from knowledge.topics import AUTH_SESSIONS_V1, AUTH_USERS_V1
from knowledge_kit.auth import Principal
from knowledge_kit.events.producer import create_producer
from knowledge_kit.events.relay import OutboxRelay
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_auth.domain.users import PlatformRole
from ms_auth.main import AuthUseCases
from ms_auth.service.sessions import RefreshTokenReusedError
from ms_auth.service.sign_in import ClientDetails

from ..conftest import ADMIN_EMAIL, PASSWORD
from ..kafka_records import envelopes_about

CLIENT = ClientDetails("pytest", "127.0.0.1")


@pytest_asyncio.fixture
async def relay(
    sessions: async_sessionmaker[AsyncSession], kafka_bootstrap: str
) -> AsyncIterator[OutboxRelay]:
    """The kit's relay with a real producer, as the running service has it."""
    producer = create_producer(kafka_bootstrap)
    await producer.start()
    try:
        yield OutboxRelay(sessions, producer)
    finally:
        await producer.stop()


async def test_registration_and_role_change_arrive_on_auth_users(
    use_cases: AuthUseCases, relay: OutboxRelay, kafka_bootstrap: str
) -> None:
    admin = await use_cases.sign_in.register(ADMIN_EMAIL, PASSWORD, "Root", CLIENT)
    ada = await use_cases.sign_in.register("ada@example.com", PASSWORD, "Ada", CLIENT)
    caller = Principal(
        name=admin.user.name, roles=frozenset({"admin"}), session_id=admin.session.id
    )
    await use_cases.users.update_role(caller, ada.user.name, PlatformRole.ADMIN)
    assert await relay.publish_pending_events() == 3
    received = await envelopes_about(kafka_bootstrap, AUTH_USERS_V1.name, ada.user.name, 2)
    assert [key for key, _ in received] == [ada.user.name.encode()] * 2
    registered, changed = (envelope for _, envelope in received)
    assert (registered.type, registered.source) == ("knowledge.auth.v1.UserRegistered", "ms_auth")
    assert uuid.UUID(registered.id) != uuid.UUID(changed.id)
    assert registered.HasField("time")
    assert registered.payload.TypeName() == registered.type
    payload = events_pb2.UserRegistered()
    assert registered.payload.Unpack(payload)
    assert (payload.user, payload.email, payload.role) == (
        ada.user.name,
        "ada@example.com",
        user_pb2.PLATFORM_ROLE_MEMBER,
    )
    role_changed = events_pb2.UserRoleChanged()
    assert changed.payload.Unpack(role_changed)
    assert (role_changed.previous_role, role_changed.role) == (
        user_pb2.PLATFORM_ROLE_MEMBER,
        user_pb2.PLATFORM_ROLE_ADMIN,
    )
    assert (role_changed.changed_by.name, role_changed.changed_by.display_name) == (
        admin.user.name,
        "Root",
    )


async def test_refresh_token_reuse_arrives_as_session_revoked(
    use_cases: AuthUseCases, relay: OutboxRelay, kafka_bootstrap: str
) -> None:
    ada = await use_cases.sign_in.register("ada@example.com", PASSWORD, "", CLIENT)
    await use_cases.sessions.refresh(ada.tokens.refresh_token)
    with pytest.raises(RefreshTokenReusedError):
        await use_cases.sessions.refresh(ada.tokens.refresh_token)
    await relay.publish_pending_events()
    [(key, envelope)] = await envelopes_about(
        kafka_bootstrap, AUTH_SESSIONS_V1.name, ada.user.name, 1
    )
    assert key == ada.user.name.encode()
    revoked = events_pb2.SessionRevoked()
    assert envelope.payload.Unpack(revoked)
    assert (revoked.session, revoked.user, revoked.reason) == (
        ada.session.name,
        ada.user.name,
        session_pb2.SESSION_REVOCATION_REASON_REFRESH_TOKEN_REUSE,
    )
