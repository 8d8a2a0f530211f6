"""Publishing and rotating the keys access tokens are signed with."""

from __future__ import annotations

from collections.abc import Callable

from knowledge_kit.auth import SigningKey

from ..domain.signing_keys import SigningKeyVersion
from ..domain.unit_of_work import AuthUnitOfWork
from .policy import AuthPolicy, Clock


class SigningKeyUseCases:
    """The JWKS and key rotation; a retired key stays published for the verification window."""

    def __init__(
        self,
        unit_of_work: Callable[[], AuthUnitOfWork],
        *,
        policy: AuthPolicy,
        clock: Clock,
        key_algorithm: str = "EdDSA",
    ) -> None:
        self._unit_of_work = unit_of_work
        self._policy = policy
        self._clock = clock
        self._key_algorithm = key_algorithm

    async def published_keys(self) -> list[SigningKey]:
        """Every key that may have signed a still valid token, the signing one first."""
        async with self._unit_of_work() as work:
            keyring = await work.signing_keys.keyring()
        published = keyring.published(self._clock(), self._policy.verification_window)
        return [version.key for version in published]

    async def rotate_signing_key(self) -> SigningKeyVersion:
        """Sign with a fresh key from now on; the previous one stays verifiable."""
        async with self._unit_of_work() as work:
            version = await self._rotate(work)
            await work.commit()
        return version

    async def rotate_signing_key_if_due(self) -> bool:
        """Rotate when there is no key yet or the current one reached the rotation interval."""
        async with self._unit_of_work() as work:
            keyring = await work.signing_keys.keyring()
            if not keyring.rotation_due(self._clock(), self._policy.signing_key_rotation_interval):
                return False
            await self._rotate(work)
            await work.commit()
        return True

    async def _rotate(self, work: AuthUnitOfWork) -> SigningKeyVersion:
        now = self._clock()
        current = (await work.signing_keys.keyring()).current
        if current is not None:
            await work.signing_keys.retire(current.kid, now)
        version = SigningKeyVersion(SigningKey.generate(self._key_algorithm), now)
        await work.signing_keys.add(version)
        return version
