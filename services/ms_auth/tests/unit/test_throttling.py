"""Lockout after repeated failures, and how it wears off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ms_auth.domain.throttling import LockoutPolicy, SignInThrottle

POLICY = LockoutPolicy(
    max_failures=3, failure_window=timedelta(minutes=10), lockout_duration=timedelta(minutes=5)
)
START = datetime(2026, 1, 1, tzinfo=UTC)


def test_the_last_allowed_failure_locks_the_name_until_the_lockout_ends() -> None:
    throttle = SignInThrottle("ada@example.com")
    for minute in range(3):
        assert not throttle.is_locked(START + timedelta(minutes=minute))
        throttle.record_failure(START + timedelta(minutes=minute), POLICY)
    assert throttle.is_locked(START + timedelta(minutes=3))
    assert not throttle.is_locked(START + timedelta(minutes=7, seconds=1))


def test_failures_spread_wider_than_the_window_never_lock() -> None:
    throttle = SignInThrottle("ada@example.com")
    for step in range(6):
        throttle.record_failure(START + timedelta(minutes=6 * step), POLICY)
        assert not throttle.is_locked(START + timedelta(minutes=6 * step))


def test_a_success_forgets_earlier_failures() -> None:
    throttle = SignInThrottle("ada@example.com")
    throttle.record_failure(START, POLICY)
    throttle.record_failure(START, POLICY)
    throttle.record_success()
    throttle.record_failure(START, POLICY)
    assert not throttle.is_locked(START)
