"""Verify platform access tokens and turn them into principals, with a cache of verified tokens."""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Any

import jwt

from knowledge_kit.auth.jwks import JwksKeySet
from knowledge_kit.auth.principal import (
    ALGORITHMS,
    PRINCIPAL_NAME,
    ROLES_CLAIM,
    SESSION_CLAIM,
    Principal,
)
from knowledge_kit.errors import UnauthenticatedError

REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat"]


class TokenVerifier:
    """Checks signature, algorithm, `iss`, `aud`, `exp` and `sub`; remembers verified tokens until
    they expire so repeat calls skip the signature check (bounded to `cache_size` tokens)."""

    def __init__(
        self,
        keys: JwksKeySet,
        *,
        issuer: str,
        audience: str,
        leeway_seconds: float = 30.0,
        cache_size: int = 10_000,
    ) -> None:
        self._keys = keys
        self._issuer = issuer
        self._audience = audience
        self._leeway = leeway_seconds
        self._cache: OrderedDict[str, Principal] = OrderedDict()
        self._cache_size = cache_size

    def cached(self, token: str) -> Principal | None:
        """The principal of `token` if it was verified before and has not expired; else None
        (then `verify` it)."""
        cached = self._cache.get(token)
        if cached is not None and cached.expires_at + self._leeway > time.time():
            return cached
        return None

    async def verify(self, token: str) -> Principal:
        """The principal the token names; UnauthenticatedError saying why it is refused."""
        cached = self.cached(token)
        if cached is not None:
            return cached
        self._cache.pop(token, None)  # expired, if there
        principal = await self._verify_signature_and_claims(token)
        self._cache[token] = principal
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return principal

    async def close(self) -> None:
        """Release the key set's HTTP client."""
        await self._keys.close()

    async def _verify_signature_and_claims(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.InvalidTokenError:
            raise UnauthenticatedError("malformed token") from None
        if header.get("alg") not in ALGORITHMS:
            raise UnauthenticatedError("token algorithm not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise UnauthenticatedError("token has no key id")
        key = await self._keys.key(kid)
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[str(header["alg"])],
                audience=self._audience,
                issuer=self._issuer,
                leeway=self._leeway,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise UnauthenticatedError("token expired") from None
        except jwt.InvalidAudienceError:
            raise UnauthenticatedError("token is for another audience") from None
        except jwt.InvalidIssuerError:
            raise UnauthenticatedError("token from an unknown issuer") from None
        except jwt.InvalidTokenError:
            raise UnauthenticatedError("token rejected") from None
        return _principal_from(claims, token)


def _principal_from(claims: dict[str, Any], token: str) -> Principal:
    subject = claims["sub"]
    if not isinstance(subject, str) or not PRINCIPAL_NAME.fullmatch(subject):
        raise UnauthenticatedError("token subject is not a principal name")
    roles = claims.get(ROLES_CLAIM, [])
    if not isinstance(roles, list) or not all(isinstance(role, str) for role in roles):
        raise UnauthenticatedError("token roles claim is not a list of names")
    session = claims.get(SESSION_CLAIM)
    return Principal(
        name=subject,
        roles=frozenset(roles),
        session_id=str(session) if session is not None else None,
        expires_at=float(claims["exp"]),
        token=token,
    )
