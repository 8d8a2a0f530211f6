"""Service accounts sign in with their secret and get scoped, addressed access tokens."""

from __future__ import annotations

import pytest
from knowledge_kit.errors import PermissionDeniedError, ValidationError

from ms_auth.service.errors import SignInLockedError, WrongCredentialsError
from ms_auth.service.service_accounts import ServiceAccountSpec

from .conftest import Auth

CHAT = ServiceAccountSpec(
    name="serviceAccounts/ms_chat",
    secret="chat-secret-0123456789",
    scopes=("knowledge.documents.read", "vector.search"),
)


async def test_a_service_account_token_carries_its_scopes_and_audience(auth: Auth) -> None:
    await auth.service_accounts.provision([CHAT])
    issued = await auth.service_accounts.issue_token(
        CHAT.name, CHAT.secret, ["vector.search"], "ms_vector"
    )
    claims = await auth.claims(issued.access_token.token)
    assert claims["sub"] == "serviceAccounts/ms_chat"
    assert claims["scope"] == "vector.search"
    assert claims["aud"] == ["knowledge-platform", "ms_vector"]
    assert "sid" not in claims


async def test_without_requested_scopes_the_token_carries_all_of_them(auth: Auth) -> None:
    await auth.service_accounts.provision([CHAT])
    issued = await auth.service_accounts.issue_token(CHAT.name, CHAT.secret, [], "")
    claims = await auth.claims(issued.access_token.token)
    assert claims["scope"] == "knowledge.documents.read vector.search"
    assert claims["aud"] == "knowledge-platform"


async def test_wrong_secrets_are_refused_and_eventually_locked(auth: Auth) -> None:
    await auth.service_accounts.provision([CHAT])
    for _ in range(auth.policy.lockout.max_failures):
        with pytest.raises(WrongCredentialsError):
            await auth.service_accounts.issue_token(CHAT.name, "guess", [], "")
    with pytest.raises(SignInLockedError):
        await auth.service_accounts.issue_token(CHAT.name, CHAT.secret, [], "")


async def test_scopes_the_account_does_not_hold_are_refused(auth: Auth) -> None:
    await auth.service_accounts.provision([CHAT])
    with pytest.raises(PermissionDeniedError):
        await auth.service_accounts.issue_token(CHAT.name, CHAT.secret, ["ml.models.write"], "")


@pytest.mark.parametrize(
    ("name", "secret", "scopes", "audience", "field"),
    [
        ("ms_chat", "s", [], "", "name"),
        ("serviceAccounts/ms_chat", "", [], "", "secret"),
        ("serviceAccounts/ms_chat", "s", ["Not A Scope"], "", "scopes[0]"),
        ("serviceAccounts/ms_chat", "s", [], "knowledge", "audience"),
    ],
)
async def test_malformed_requests_name_the_field(
    auth: Auth, name: str, secret: str, scopes: list[str], audience: str, field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        await auth.service_accounts.issue_token(name, secret, scopes, audience)
    assert refused.value.violations[0].field == field


async def test_reprovisioning_with_a_new_secret_replaces_the_old_one(auth: Auth) -> None:
    await auth.service_accounts.provision([CHAT])
    rotated = ServiceAccountSpec(
        name=CHAT.name, secret="a-new-secret-9876543210", scopes=CHAT.scopes
    )
    await auth.service_accounts.provision([rotated])
    with pytest.raises(WrongCredentialsError):
        await auth.service_accounts.issue_token(CHAT.name, CHAT.secret, [], "")
    assert await auth.service_accounts.issue_token(CHAT.name, rotated.secret, [], "")
