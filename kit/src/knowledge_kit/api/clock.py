"""The time use cases stamp changes with; injected so tests can hold it still or move it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware (use cases take one; production passes `utc_now`)."""


def utc_now() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)
