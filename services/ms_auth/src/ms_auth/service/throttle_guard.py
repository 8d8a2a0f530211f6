"""Checking a secret behind the lockout: what every secret-based sign-in runs through."""

from __future__ import annotations

from knowledge_kit.api import Clock

from ..domain.credentials import PasswordHasher
from ..domain.throttling import LockoutPolicy, SignInThrottle
from ..domain.unit_of_work import AuthUnitOfWork
from .errors import SignInLockedError, WrongCredentialsError


class ThrottledSecretCheck:
    """Refuses locked names, verifies the secret in constant time, and counts the outcome."""

    def __init__(self, hasher: PasswordHasher, policy: LockoutPolicy, clock: Clock) -> None:
        self._hasher = hasher
        self._policy = policy
        self._clock = clock

    async def verify(
        self,
        work: AuthUnitOfWork,
        subject: str,
        secret_hash: str | None,
        secret: str,
        *,
        refusal: str,
    ) -> None:
        """Return when `secret` matches `secret_hash` (None: no such account). Otherwise commit
        the failure and raise WrongCredentialsError(refusal); SignInLockedError while locked."""
        throttle = await work.throttles.get(subject) or SignInThrottle(subject)
        if throttle.locked_until is not None and throttle.is_locked(self._clock()):
            raise SignInLockedError(throttle.locked_until)
        # Without a hash the hasher still does a full verification: no account costs as much time.
        if not await self._hasher.verify(secret_hash, secret):
            throttle.record_failure(self._clock(), self._policy)
            await work.throttles.save(throttle)
            await work.commit()
            raise WrongCredentialsError(refusal)
        if not throttle.is_clear:
            throttle.record_success()
            await work.throttles.save(throttle)
