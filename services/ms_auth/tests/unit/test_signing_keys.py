"""Key rotation: a successor is published before it signs, and a superseded key stays
verifiable while the tokens it signed may still be valid."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from .conftest import Auth


def kid_of(token: str) -> str:
    return str(jwt.get_unverified_header(token)["kid"])


async def test_the_first_token_creates_a_published_signing_key(auth: Auth) -> None:
    signed_in = await auth.register("ada@example.com")
    published = await auth.keys.published_keys()
    assert [key.kid for key in published] == [kid_of(signed_in.tokens.access_token)]
    assert published[0].public_jwk()["kty"] == "OKP"


async def test_a_successor_is_published_one_lead_before_it_signs(auth: Auth) -> None:
    before = await auth.register("ada@example.com")
    successor = await auth.keys.rotate_signing_key()
    assert successor.kid in [key.kid for key in await auth.keys.published_keys()]
    still_old = await auth.sessions.refresh(before.tokens.refresh_token)
    assert kid_of(still_old.access_token) == kid_of(before.tokens.access_token)
    auth.clock.advance(auth.policy.signing_key_publication_lead)
    renewed = await auth.sessions.refresh(still_old.refresh_token)
    assert kid_of(renewed.access_token) == successor.kid
    assert (await auth.claims(still_old.access_token))["sub"] == before.user.name


async def test_a_superseded_key_leaves_the_jwks_after_the_verification_window(
    auth: Auth,
) -> None:
    before = await auth.register("ada@example.com")
    successor = await auth.keys.rotate_signing_key(immediately=True)
    auth.clock.advance(timedelta(seconds=1))
    after = await auth.sessions.refresh(before.tokens.refresh_token)
    assert kid_of(after.access_token) == successor.kid
    assert (await auth.claims(before.tokens.access_token))["sub"] == before.user.name
    auth.clock.advance(auth.policy.verification_window)
    with pytest.raises(jwt.InvalidKeyError):
        await auth.claims(before.tokens.access_token)
    assert [key.kid for key in await auth.keys.published_keys()] == [successor.kid]


async def test_rotation_is_due_a_publication_lead_before_the_interval_ends(auth: Auth) -> None:
    assert await auth.keys.rotate_signing_key_if_due()
    assert len(await auth.keys.published_keys()) == 1
    assert not await auth.keys.rotate_signing_key_if_due()
    lead = auth.policy.signing_key_publication_lead
    auth.clock.advance(auth.policy.signing_key_rotation_interval - lead - timedelta(seconds=1))
    assert not await auth.keys.rotate_signing_key_if_due()
    auth.clock.advance(timedelta(seconds=1))
    assert await auth.keys.rotate_signing_key_if_due()
    assert not await auth.keys.rotate_signing_key_if_due()  # a successor is already waiting
    assert len(await auth.keys.published_keys()) == 2
