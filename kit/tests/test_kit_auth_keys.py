"""The JWKS key set: cached, refreshed for unknown kids at a bounded rate, clear when unavailable."""

from __future__ import annotations

import time
from types import SimpleNamespace

import pytest

from knowledge_kit.auth import JwksKeySet, SigningKey, TokenVerifier
from knowledge_kit.auth import verifier as verifier_module
from knowledge_kit.errors import UnauthenticatedError
from knowledge_kit.testing import JwksEndpoint


async def test_unknown_kids_refetch_the_jwks_at_most_once_per_interval(
    jwks_endpoint: JwksEndpoint,
) -> None:
    keys = JwksKeySet(jwks_endpoint.url, min_refresh_seconds=3600)
    await keys.key(jwks_endpoint.current_key.kid)
    for forged in ("forged-1", "forged-2", "forged-3"):
        with pytest.raises(UnauthenticatedError, match="unknown key"):
            await keys.key(forged)
    assert jwks_endpoint.fetches == 1
    await keys.close()


async def test_verified_tokens_are_not_reverified_until_they_expire(
    jwks_endpoint: JwksEndpoint,
) -> None:
    keys = JwksKeySet(jwks_endpoint.url)
    verifier = TokenVerifier(keys, issuer=jwks_endpoint.issuer, audience=jwks_endpoint.audience)
    token = jwks_endpoint.mint("users/alice", roles=["editor", "reader"], session_id="s-9")
    first = await verifier.verify(token)
    jwks_endpoint.keys.clear()  # even with the key gone, the verified token stays valid
    assert await verifier.verify(token) == first
    assert first.roles == frozenset({"editor", "reader"}) and first.session_id == "s-9"
    assert "eyJ" not in repr(first)
    await keys.close()


async def test_a_verified_token_is_no_longer_answered_from_the_cache_once_it_expires(
    jwks_endpoint: JwksEndpoint, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = JwksKeySet(jwks_endpoint.url)
    verifier = TokenVerifier(
        keys, issuer=jwks_endpoint.issuer, audience=jwks_endpoint.audience, leeway_seconds=0
    )
    token = jwks_endpoint.mint("users/alice", ttl_seconds=60)
    principal = await verifier.verify(token)
    assert verifier.cached(token) == principal
    later = time.time() + 120
    monkeypatch.setattr(verifier_module, "time", SimpleNamespace(time=lambda: later))
    assert verifier.cached(token) is None  # so the RPC step verifies it again, and refuses it
    await keys.close()


async def test_an_unreachable_jwks_endpoint_refuses_tokens_clearly() -> None:
    keys = JwksKeySet("http://127.0.0.1:9/.well-known/jwks.json", timeout_seconds=1)
    verifier = TokenVerifier(keys, issuer="i", audience="a")
    token = SigningKey.generate().issue(subject="users/alice", issuer="i", audience="a")
    with pytest.raises(UnauthenticatedError, match="signing keys are unavailable"):
        await verifier.verify(token)
    await keys.close()


def test_tokens_name_a_principal() -> None:
    with pytest.raises(ValueError, match="users/\\{id\\} or serviceAccounts/\\{id\\}"):
        SigningKey.generate().issue(subject="alice", issuer="i", audience="a")
