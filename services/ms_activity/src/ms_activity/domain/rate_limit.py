"""How many activities each user may record: at most `limit` in each minute of the clock.

The minutes are fixed windows (12:00:00 to 12:01:00, ...) counted in the SQL database every
instance shares (`repository/quotas.py`), so a user records no more behind N instances than
behind one. A batch takes as many as it holds activities, or none at all when the minute has
too few left; the refusal says when the next minute starts. Across a window's edge a user may
record up to twice the limit in a minute's span: the price of one counter row per user and minute.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

WINDOW = timedelta(minutes=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class RecordLimit:
    """`limit` activities per user in each `window`."""

    limit: int
    window: timedelta = WINDOW

    def __post_init__(self) -> None:
        if self.limit < 1 or self.window <= timedelta(0):
            raise ValueError("limit and window must be positive")

    def window_of(self, now: datetime) -> int:
        """The window holding `now`, as the epoch second it starts at."""
        size = int(self.window.total_seconds())
        return int((now - _EPOCH).total_seconds()) // size * size

    def wait(self, now: datetime, count: int) -> float:
        """Seconds until `count` activities may be recorded: to the next window, or infinite
        when the batch is larger than any window allows."""
        if count > self.limit:
            return math.inf
        next_start = _EPOCH + timedelta(seconds=self.window_of(now)) + self.window
        return max((next_start - now).total_seconds(), 0.001)
