"""Sign-in throttling: every name gets a few password checks per window, then it is locked.

Throttles are kept per sign-in name (a normalized email or a service account name) whether or not
such an account exists, so a locked answer tells an attacker nothing about which accounts exist.

An attempt is counted as a failure *before* its password is checked, and the attempt that takes
the window's last check engages the lock at once. However many sign-ins of one name arrive
together, at most `max_failures` passwords are checked per window: the others are refused as
locked without a check, a right password among them too. A right password takes back the
failures counted before its attempt, unless other attempts were taken while it was checked.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """`max_failures` password checks within `failure_window` lock the name for
    `lockout_duration` (unless one of them was right)."""

    max_failures: int = 5
    failure_window: timedelta = timedelta(minutes=15)
    lockout_duration: timedelta = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class SignInThrottle:
    """Recent attempts of one name that are counted as failures (including those being checked)."""

    subject: str
    failure_count: int = 0
    first_failure_time: datetime | None = None
    locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        """Whether sign-ins of this name are refused at `now`."""
        return self.locked_until is not None and now < self.locked_until

    def attempt_taken(self, now: datetime, policy: LockoutPolicy) -> SignInThrottle:
        """The throttle once an attempt about to be checked is counted as a failure; the one that
        takes the window's last check locks the name. Only for a name that is not locked."""
        count, first = self.failure_count, self.first_failure_time
        if first is None or now - first > policy.failure_window:
            count, first = 0, now
        if count + 1 >= policy.max_failures:
            return SignInThrottle(self.subject, locked_until=now + policy.lockout_duration)
        return SignInThrottle(self.subject, count + 1, first)

    def forgotten(self) -> SignInThrottle:
        """The throttle after a successful sign-in: nothing left to remember."""
        return replace(self, failure_count=0, first_failure_time=None, locked_until=None)


class SignInThrottleRepository(Protocol):
    """Where throttles are kept; a throttle only ever changes by `replace`, compared and set
    in one step, so concurrent sign-ins of a name never overwrite each other's counts."""

    async def get(self, subject: str) -> SignInThrottle | None: ...

    async def replace(self, current: SignInThrottle | None, new: SignInThrottle) -> bool:
        """Store `new` if the name's throttle is still `current` (None: none stored yet);
        False, storing nothing, when another sign-in changed it first."""
        ...
