"""Sign-in throttling: after repeated failures an account name is locked for a while.

Throttles are kept per sign-in name (a normalized email or a service account name) whether or not
such an account exists, so a locked answer tells an attacker nothing about which accounts exist.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """`max_failures` failures within `failure_window` lock the name for `lockout_duration`."""

    max_failures: int = 5
    failure_window: timedelta = timedelta(minutes=15)
    lockout_duration: timedelta = timedelta(minutes=15)


@dataclass(slots=True)
class SignInThrottle:
    """Recent failed sign-ins of one name."""

    subject: str
    failure_count: int = 0
    first_failure_time: datetime | None = None
    locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        """Whether sign-ins of this name are refused at `now`."""
        return self.locked_until is not None and now < self.locked_until

    def record_failure(self, now: datetime, policy: LockoutPolicy) -> None:
        """Count a failure; the `max_failures`-th within the window locks the name."""
        if self.first_failure_time is None or now - self.first_failure_time > policy.failure_window:
            self.failure_count = 0
            self.first_failure_time = now
        self.failure_count += 1
        if self.failure_count >= policy.max_failures:
            self.locked_until = now + policy.lockout_duration
            self.failure_count = 0
            self.first_failure_time = None

    def record_success(self) -> None:
        """A successful sign-in forgets earlier failures."""
        self.failure_count = 0
        self.first_failure_time = None
        self.locked_until = None

    @property
    def is_clear(self) -> bool:
        """True when there is nothing to remember about this name."""
        return self.failure_count == 0 and self.locked_until is None


class SignInThrottleRepository(Protocol):
    """Where throttles are kept; `get` locks the row for the rest of the transaction."""

    async def get(self, subject: str) -> SignInThrottle | None: ...

    async def save(self, throttle: SignInThrottle) -> None: ...
