"""Registering and logging in: tokens, refusals, lockout, events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from knowledge_kit.errors import AlreadyExistsError, ValidationError

from ms_auth.domain.events import UserRegistered
from ms_auth.domain.users import PlatformRole
from ms_auth.service.errors import SignInLockedError, WrongCredentialsError

from .conftest import ADMIN_EMAIL, CLIENT, PASSWORD, Auth


async def test_registering_signs_in_with_tokens_following_the_claims_convention(
    auth: Auth,
) -> None:
    signed_in = await auth.sign_in.register("Ada@Example.com", PASSWORD, "Ada", CLIENT)
    claims = await auth.claims(signed_in.tokens.access_token)
    assert claims["sub"] == signed_in.user.name
    assert claims["roles"] == ["member"]
    assert claims["sid"] == signed_in.session.id
    assert signed_in.user.email == "ada@example.com"
    assert signed_in.session.user_agent == "pytest"
    assert signed_in.tokens.refresh_token_expire_time == signed_in.session.expire_time


async def test_registering_records_a_user_registered_event(auth: Auth) -> None:
    signed_in = await auth.register("ada@example.com")
    assert auth.store.state.events == [
        UserRegistered(signed_in.user.id, "ada@example.com", "ada", PlatformRole.MEMBER)
    ]


async def test_configured_administrator_emails_register_as_administrators(auth: Auth) -> None:
    signed_in = await auth.register(ADMIN_EMAIL)
    assert signed_in.user.role is PlatformRole.ADMIN
    assert (await auth.claims(signed_in.tokens.access_token))["roles"] == ["admin"]


async def test_an_email_registers_once_whatever_its_case(auth: Auth) -> None:
    await auth.register("ada@example.com")
    with pytest.raises(AlreadyExistsError):
        await auth.register("ADA@example.com")


async def test_passwords_are_stored_only_as_argon2id_hashes(auth: Auth) -> None:
    signed_in = await auth.register("ada@example.com")
    stored = auth.store.state.users[signed_in.user.id].password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


async def test_login_opens_a_new_session(auth: Auth) -> None:
    registered = await auth.register("ada@example.com")
    logged_in = await auth.sign_in.login("ada@example.com", PASSWORD, CLIENT)
    assert logged_in.user.id == registered.user.id
    assert logged_in.session.id != registered.session.id


async def test_a_wrong_password_and_an_unknown_email_are_refused_alike(auth: Auth) -> None:
    await auth.register("ada@example.com")
    with pytest.raises(WrongCredentialsError) as wrong_password:
        await auth.sign_in.login("ada@example.com", "not the password", CLIENT)
    with pytest.raises(WrongCredentialsError) as unknown_email:
        await auth.sign_in.login("bob@example.com", PASSWORD, CLIENT)
    assert wrong_password.value.message == unknown_email.value.message


async def test_malformed_login_names_the_field(auth: Auth) -> None:
    with pytest.raises(ValidationError) as refused:
        await auth.sign_in.login("not-an-email", PASSWORD, CLIENT)
    assert [v.field for v in refused.value.violations] == ["email"]


async def test_repeated_failures_lock_the_email_even_for_the_right_password(auth: Auth) -> None:
    await auth.register("ada@example.com")
    for _ in range(auth.policy.lockout.max_failures):
        with pytest.raises(WrongCredentialsError):
            await auth.sign_in.login("ada@example.com", "not the password", CLIENT)
    with pytest.raises(SignInLockedError):
        await auth.sign_in.login("ada@example.com", PASSWORD, CLIENT)
    auth.clock.advance(auth.policy.lockout.lockout_duration + timedelta(seconds=1))
    assert (await auth.sign_in.login("ada@example.com", PASSWORD, CLIENT)).user.email


async def test_unknown_emails_lock_too_so_lockout_reveals_no_account(auth: Auth) -> None:
    for _ in range(auth.policy.lockout.max_failures):
        with pytest.raises(WrongCredentialsError):
            await auth.sign_in.login("nobody@example.com", PASSWORD, CLIENT)
    with pytest.raises(SignInLockedError):
        await auth.sign_in.login("nobody@example.com", PASSWORD, CLIENT)
