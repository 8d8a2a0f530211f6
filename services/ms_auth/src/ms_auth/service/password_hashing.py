"""argon2id hashing of passwords and service account secrets, off the event loop."""

from __future__ import annotations

import asyncio
import secrets

import argon2
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2PasswordHasher:
    """Hashes with argon2id. Verifying without a stored hash still runs one full verification
    (against a dummy hash), so an unknown account costs the same time as a wrong password."""

    def __init__(
        self, *, time_cost: int = 3, memory_cost_kib: int = 65536, parallelism: int = 4
    ) -> None:
        self._argon2 = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_cost_kib,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )
        self._dummy_hash = self._argon2.hash(secrets.token_urlsafe(24))

    async def hash(self, secret: str) -> str:
        """A salted argon2id hash of `secret`."""
        return await asyncio.to_thread(self._argon2.hash, secret)

    async def verify(self, secret_hash: str | None, secret: str) -> bool:
        """Whether `secret` matches `secret_hash`; with no hash, as slow as a mismatch."""
        return await asyncio.to_thread(self._verify, secret_hash, secret)

    def needs_rehash(self, secret_hash: str) -> bool:
        """Whether the hash was made with weaker parameters than today's."""
        try:
            return self._argon2.check_needs_rehash(secret_hash)
        except InvalidHashError:
            return True

    def _verify(self, secret_hash: str | None, secret: str) -> bool:
        try:
            return self._argon2.verify(secret_hash or self._dummy_hash, secret) and bool(
                secret_hash
            )
        except (VerificationError, InvalidHashError):
            return False
