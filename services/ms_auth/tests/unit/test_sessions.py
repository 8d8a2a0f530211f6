"""Refresh-token rotation, reuse detection, sign-out, listing and revoking sessions."""

from __future__ import annotations

import pytest
from knowledge_kit.errors import (
    NotFoundError,
    PermissionDeniedError,
    UnauthenticatedError,
    ValidationError,
)

from ms_auth.domain.events import SessionRevoked
from ms_auth.domain.sessions import SessionRevocationReason
from ms_auth.service.sessions import RefreshTokenReusedError

from .conftest import ADMIN_EMAIL, CLIENT, PASSWORD, Auth


async def test_refreshing_returns_a_new_pair_and_spends_the_old_token(auth: Auth) -> None:
    signed_in = await auth.register("ada@example.com")
    renewed = await auth.sessions.refresh(signed_in.tokens.refresh_token)
    assert renewed.refresh_token != signed_in.tokens.refresh_token
    assert (await auth.claims(renewed.access_token))["sid"] == signed_in.session.id
    assert (await auth.sessions.refresh(renewed.refresh_token)).refresh_token


async def test_reusing_a_refresh_token_revokes_the_whole_session(auth: Auth) -> None:
    signed_in = await auth.register("ada@example.com")
    renewed = await auth.sessions.refresh(signed_in.tokens.refresh_token)
    with pytest.raises(RefreshTokenReusedError):
        await auth.sessions.refresh(signed_in.tokens.refresh_token)
    with pytest.raises(UnauthenticatedError):
        await auth.sessions.refresh(renewed.refresh_token)
    assert auth.store.state.events[-1] == SessionRevoked(
        signed_in.user.id, signed_in.session.id, SessionRevocationReason.REFRESH_TOKEN_REUSE
    )


async def test_reuse_ends_access_through_tokens_of_that_session(auth: Auth) -> None:
    signed_in = await auth.register("ada@example.com")
    principal = await auth.principal(signed_in)
    await auth.sessions.refresh(signed_in.tokens.refresh_token)
    with pytest.raises(RefreshTokenReusedError):
        await auth.sessions.refresh(signed_in.tokens.refresh_token)
    with pytest.raises(UnauthenticatedError):
        await auth.users.get_user(principal, "users/me")


async def test_unknown_or_missing_refresh_tokens_are_refused(auth: Auth) -> None:
    with pytest.raises(UnauthenticatedError):
        await auth.sessions.refresh("made-up")
    with pytest.raises(ValidationError) as refused:
        await auth.sessions.refresh("")
    assert refused.value.violations[0].field == "refresh_token"


async def test_logout_ends_the_session_once(auth: Auth) -> None:
    signed_in = await auth.register("ada@example.com")
    await auth.sessions.logout(signed_in.tokens.refresh_token)
    await auth.sessions.logout(signed_in.tokens.refresh_token)
    with pytest.raises(UnauthenticatedError):
        await auth.sessions.refresh(signed_in.tokens.refresh_token)
    revocations = [e for e in auth.store.state.events if isinstance(e, SessionRevoked)]
    assert revocations == [
        SessionRevoked(signed_in.user.id, signed_in.session.id, SessionRevocationReason.LOGOUT)
    ]


async def test_sessions_are_listed_newest_first_in_pages(auth: Auth) -> None:
    first = await auth.register("ada@example.com")
    second = await auth.sign_in.login("ada@example.com", PASSWORD, CLIENT)
    auth.clock.advance(auth.policy.access_token_ttl / 10)
    third = await auth.sign_in.login("ada@example.com", PASSWORD, CLIENT)
    caller = await auth.principal(third)
    page = await auth.sessions.list_sessions(caller, "users/me", 2, "")
    assert page.sessions[0].id == third.session.id
    assert page.current_session_id == third.session.id
    rest = await auth.sessions.list_sessions(caller, "users/me", 2, page.next_page_token)
    listed = {s.id for s in page.sessions} | {s.id for s in rest.sessions}
    assert listed == {first.session.id, second.session.id, third.session.id}
    assert rest.next_page_token == ""


async def test_a_revoked_session_is_no_longer_listed_nor_refreshable(auth: Auth) -> None:
    signed_in = await auth.register("ada@example.com")
    other = await auth.sign_in.login("ada@example.com", PASSWORD, CLIENT)
    caller = await auth.principal(signed_in)
    await auth.sessions.revoke_session(caller, other.session.name)
    page = await auth.sessions.list_sessions(caller, signed_in.user.name, 0, "")
    assert [s.id for s in page.sessions] == [signed_in.session.id]
    with pytest.raises(UnauthenticatedError):
        await auth.sessions.refresh(other.tokens.refresh_token)


async def test_members_cannot_see_or_revoke_other_users_sessions(auth: Auth) -> None:
    ada = await auth.register("ada@example.com")
    bob = await auth.register("bob@example.com")
    intruder = await auth.principal(bob)
    with pytest.raises(PermissionDeniedError):
        await auth.sessions.list_sessions(intruder, ada.user.name, 0, "")
    with pytest.raises(PermissionDeniedError):
        await auth.sessions.revoke_session(intruder, ada.session.name)


async def test_administrators_revoke_any_session(auth: Auth) -> None:
    ada = await auth.register("ada@example.com")
    admin = await auth.principal(await auth.register(ADMIN_EMAIL))
    await auth.sessions.revoke_session(admin, ada.session.name)
    with pytest.raises(UnauthenticatedError):
        await auth.sessions.refresh(ada.tokens.refresh_token)
    with pytest.raises(NotFoundError):
        await auth.sessions.revoke_session(admin, f"{ada.user.name}/sessions/{'0' * 32}")


async def test_bad_page_tokens_name_the_field(auth: Auth) -> None:
    caller = await auth.principal(await auth.register("ada@example.com"))
    with pytest.raises(ValidationError) as refused:
        await auth.sessions.list_sessions(caller, "users/me", 0, "garbage")
    assert refused.value.violations[0].field == "page_token"
