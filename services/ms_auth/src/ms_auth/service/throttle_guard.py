"""Checking a secret behind the lockout: what every secret-based sign-in runs through."""

from __future__ import annotations

from collections.abc import Callable

from knowledge_kit.api import Clock

from ..domain.credentials import PasswordHasher
from ..domain.throttling import LockoutPolicy, SignInThrottle
from ..domain.unit_of_work import AuthUnitOfWork
from .errors import SignInLockedError, WrongCredentialsError


class ThrottledSecretCheck:
    """Takes one of the name's checks, verifies the secret in constant time, and on success
    forgets the failures (see domain/throttling.py for what concurrent sign-ins get)."""

    def __init__(
        self,
        unit_of_work: Callable[[], AuthUnitOfWork],
        hasher: PasswordHasher,
        policy: LockoutPolicy,
        clock: Clock,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._hasher = hasher
        self._policy = policy
        self._clock = clock

    async def verify(
        self, subject: str, secret_hash: str | None, secret: str, *, refusal: str
    ) -> None:
        """Return when `secret` matches `secret_hash` (None: no such account); otherwise raise
        WrongCredentialsError(refusal), or SignInLockedError, without a check, while locked.

        It commits its own transactions, so call it outside a unit of work: the attempt must be
        counted before the slow check starts, and the check must hold no database connection.
        """
        taken = await self._take_attempt(subject)
        # Without a hash the hasher still does a full verification: no account costs as much time.
        if not await self._hasher.verify(secret_hash, secret):
            raise WrongCredentialsError(refusal)  # counted as a failure when it was taken
        async with self._unit_of_work() as work:
            # Attempts taken by others while this one was checked stay counted.
            if await work.throttles.replace(taken, taken.forgotten()):
                await work.commit()

    async def _take_attempt(self, subject: str) -> SignInThrottle:
        """Count an attempt of `subject` as a failure, or refuse it while the name is locked."""
        while True:
            async with self._unit_of_work() as work:
                current = await work.throttles.get(subject)
                throttle = current or SignInThrottle(subject)
                now = self._clock()
                if throttle.locked_until is not None and throttle.is_locked(now):
                    raise SignInLockedError(throttle.locked_until)
                taken = throttle.attempt_taken(now, self._policy)
                if await work.throttles.replace(current, taken):
                    await work.commit()
                    return taken
            # Another sign-in of the name changed its throttle after it was read, so each lost
            # race is someone else's progress: read it again.
