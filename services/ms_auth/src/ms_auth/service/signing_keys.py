"""Publishing and rotating the keys access tokens are signed with."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from knowledge_kit.api import Clock
from knowledge_kit.auth import SigningKey

from ..domain.signing_keys import SigningKeyring, SigningKeyVersion
from ..domain.unit_of_work import AuthUnitOfWork
from .policy import AuthPolicy


class SigningKeyUseCases:
    """The JWKS and key rotation (see `domain.signing_keys` for the key life cycle)."""

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
        """Every key a verifier may meet, the signing one first."""
        async with self._unit_of_work() as work:
            keyring = await work.signing_keys.keyring()
        published = keyring.published(self._clock(), self._policy.verification_window)
        return [version.key for version in published]

    async def rotate_signing_key(self, *, immediately: bool = False) -> SigningKeyVersion:
        """Publish a successor key that signs from one publication lead on, or at once when the
        current key must stop signing now (say, it leaked); earlier keys stay verifiable."""
        lead = self._policy.signing_key_publication_lead
        async with self._unit_of_work() as work:
            keyring = await work.signing_keys.keyring()
            version = await self._add_key(work, keyring, lead=timedelta(0) if immediately else lead)
            await work.commit()
        return version

    async def rotate_signing_key_if_due(self) -> bool:
        """Publish a successor when the current key nears the rotation interval (the first key,
        on a fresh database, signs at once)."""
        policy = self._policy
        async with self._unit_of_work() as work:
            keyring = await work.signing_keys.keyring()
            now = self._clock()
            due = keyring.rotation_due(
                now, policy.signing_key_rotation_interval, policy.signing_key_publication_lead
            )
            if not due:
                return False
            first_key = keyring.current(now) is None
            await self._add_key(
                work,
                keyring,
                lead=timedelta(0) if first_key else policy.signing_key_publication_lead,
            )
            await work.commit()
        return True

    async def _add_key(
        self, work: AuthUnitOfWork, keyring: SigningKeyring, *, lead: timedelta
    ) -> SigningKeyVersion:
        activate_time = keyring.activation_after(self._clock() + lead)
        version = SigningKeyVersion(SigningKey.generate(self._key_algorithm), activate_time)
        await work.signing_keys.add(version)
        return version
