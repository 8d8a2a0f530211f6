"""Lockout after the window's checks are taken, and how it wears off."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ms_auth.domain.throttling import LockoutPolicy, SignInThrottle

POLICY = LockoutPolicy(
    max_failures=3, failure_window=timedelta(minutes=10), lockout_duration=timedelta(minutes=5)
)
START = datetime(2026, 1, 1, tzinfo=UTC)


def test_taking_the_last_check_of_the_window_locks_the_name_until_the_lockout_ends() -> None:
    throttle = SignInThrottle("ada@example.com")
    for minute in range(3):
        assert not throttle.is_locked(START + timedelta(minutes=minute))
        throttle = throttle.attempt_taken(START + timedelta(minutes=minute), POLICY)
    assert throttle.is_locked(START + timedelta(minutes=2))
    assert not throttle.is_locked(START + timedelta(minutes=7, seconds=1))


def test_attempts_spread_wider_than_the_window_never_lock() -> None:
    throttle = SignInThrottle("ada@example.com")
    for step in range(6):
        throttle = throttle.attempt_taken(START + timedelta(minutes=6 * step), POLICY)
        assert not throttle.is_locked(START + timedelta(minutes=6 * step))


def test_a_success_forgets_earlier_failures() -> None:
    throttle = SignInThrottle("ada@example.com")
    throttle = throttle.attempt_taken(START, POLICY).attempt_taken(START, POLICY).forgotten()
    throttle = throttle.attempt_taken(START, POLICY)
    assert not throttle.is_locked(START)


def test_after_a_lockout_the_name_gets_a_whole_window_of_checks_again() -> None:
    throttle = SignInThrottle("ada@example.com")
    for _ in range(3):
        throttle = throttle.attempt_taken(START, POLICY)
    after_lockout = START + POLICY.lockout_duration
    for _ in range(2):
        throttle = throttle.attempt_taken(after_lockout, POLICY)
        assert not throttle.is_locked(after_lockout)
