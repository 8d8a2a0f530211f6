"""The lockout check every secret-based sign-in runs through."""

from __future__ import annotations

from ..domain.throttling import LockoutPolicy, SignInThrottle
from ..domain.unit_of_work import AuthUnitOfWork
from .errors import SignInLockedError
from .policy import Clock


class SignInThrottleGuard:
    """Refuses locked names before their secret is checked; counts failures and successes."""

    def __init__(self, policy: LockoutPolicy, clock: Clock) -> None:
        self._policy = policy
        self._clock = clock

    async def check(self, work: AuthUnitOfWork, subject: str) -> SignInThrottle:
        """The throttle of `subject`; SignInLockedError while it is locked."""
        throttle = await work.throttles.get(subject) or SignInThrottle(subject)
        if throttle.is_locked(self._clock()) and throttle.locked_until is not None:
            raise SignInLockedError(throttle.locked_until)
        return throttle

    async def failed(self, work: AuthUnitOfWork, throttle: SignInThrottle) -> None:
        """Count a failure (the caller commits it before refusing the sign-in)."""
        throttle.record_failure(self._clock(), self._policy)
        await work.throttles.save(throttle)

    async def succeeded(self, work: AuthUnitOfWork, throttle: SignInThrottle) -> None:
        """Forget earlier failures."""
        if not throttle.is_clear:
            throttle.record_success()
            await work.throttles.save(throttle)
