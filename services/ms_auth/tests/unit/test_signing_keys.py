"""Key rotation: new tokens use the new key, tokens signed before stay verifiable a while."""

from __future__ import annotations

from datetime import timedelta

import jwt
import pytest

from .conftest import Auth


async def test_the_first_token_creates_a_published_signing_key(auth: Auth) -> None:
    signed_in = await auth.register("ada@example.com")
    published = await auth.keys.published_keys()
    assert [key.kid for key in published] == [
        jwt.get_unverified_header(signed_in.tokens.access_token)["kid"]
    ]
    assert published[0].public_jwk()["kty"] == "OKP"


async def test_rotation_signs_with_the_new_key_and_keeps_the_old_one_verifiable(
    auth: Auth,
) -> None:
    before = await auth.register("ada@example.com")
    rotated = await auth.keys.rotate_signing_key()
    after = await auth.sessions.refresh(before.tokens.refresh_token)
    assert jwt.get_unverified_header(after.access_token)["kid"] == rotated.kid
    assert (await auth.claims(before.tokens.access_token))["sub"] == before.user.name
    auth.clock.advance(auth.policy.verification_window + timedelta(seconds=1))
    with pytest.raises(jwt.InvalidKeyError):
        await auth.claims(before.tokens.access_token)
    assert (await auth.claims(after.access_token))["sub"] == before.user.name


async def test_rotation_is_due_only_once_the_interval_has_passed(auth: Auth) -> None:
    assert await auth.keys.rotate_signing_key_if_due()
    assert not await auth.keys.rotate_signing_key_if_due()
    auth.clock.advance(auth.policy.signing_key_rotation_interval)
    assert await auth.keys.rotate_signing_key_if_due()
    assert len(await auth.keys.published_keys()) == 2
