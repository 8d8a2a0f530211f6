"""The Auth service's public keys, fetched over HTTP, cached, refreshed when an unknown kid shows up."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
import jwt

from knowledge_kit.auth.principal import ALGORITHMS
from knowledge_kit.errors import UnauthenticatedError


class JwksKeySet:
    """Verification keys by `kid`. Refetched after `max_age_seconds`, or on an unknown kid at most
    once per `min_refresh_seconds` (so a flood of forged kids cannot hammer the Auth service)."""

    def __init__(
        self,
        url: str,
        *,
        max_age_seconds: float = 300.0,
        min_refresh_seconds: float = 10.0,
        timeout_seconds: float = 3.0,
        http: httpx.AsyncClient | None = None,
    ) -> None:
        self.url = url
        self._max_age = max_age_seconds
        self._min_refresh = min_refresh_seconds
        self._http = http or httpx.AsyncClient(timeout=timeout_seconds)
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def key(self, kid: str) -> jwt.PyJWK:
        """The key for `kid`; raises UnauthenticatedError when the Auth service does not know it."""
        now = time.monotonic()
        if now - self._fetched_at > self._max_age:
            await self._refresh(stale_before=now - self._max_age)
        key = self._keys.get(kid)
        if key is None and time.monotonic() - self._fetched_at >= self._min_refresh:
            await self._refresh(stale_before=time.monotonic() - self._min_refresh)
            key = self._keys.get(kid)
        if key is None:
            raise UnauthenticatedError("token signed with an unknown key")
        return key

    async def _refresh(self, stale_before: float) -> None:
        async with self._lock:
            if self._fetched_at > stale_before:
                return  # another task refreshed while this one waited
            try:
                response = await self._http.get(self.url)
                response.raise_for_status()
                self._keys = _parse_jwks(response.json())
            except (httpx.HTTPError, ValueError) as exc:
                if not self._keys:
                    raise UnauthenticatedError("signing keys are unavailable") from exc
            self._fetched_at = time.monotonic()

    async def close(self) -> None:
        """Close the HTTP client."""
        await self._http.aclose()


def _parse_jwks(document: Any) -> dict[str, jwt.PyJWK]:
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("JWKS document has no 'keys' list")
    keys: dict[str, jwt.PyJWK] = {}
    for entry in document["keys"]:
        if isinstance(entry, dict) and entry.get("kid") and entry.get("alg") in ALGORITHMS:
            keys[str(entry["kid"])] = jwt.PyJWK(entry)
    return keys
