"""How many activities each user may record: a token bucket per user, in this instance.

A user starts with a full bucket (`capacity` activities) that refills at `per_minute`; a batch
takes as many tokens as it holds activities, or none at all when too few are left. Buckets are
kept per instance: behind N instances a user may record up to N times as much in a burst, which
bounds abuse without a shared counter on every request.
"""

from __future__ import annotations

from dataclasses import dataclass

# Buckets kept before full (idle) ones are forgotten.
_MAX_TRACKED = 50_000


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    def __init__(self, per_minute: int, capacity: int) -> None:
        if per_minute < 1 or capacity < 1:
            raise ValueError("per_minute and capacity must be at least 1")
        self._per_second = per_minute / 60
        self._capacity = float(capacity)
        self._buckets: dict[str, _Bucket] = {}

    def take(self, user: str, count: int, now: float) -> float:
        """0 when `count` tokens were taken; else the seconds until they would be there."""
        bucket = self._buckets.get(user)
        if bucket is None:
            if len(self._buckets) >= _MAX_TRACKED:
                self._forget_full(now)
            bucket = self._buckets[user] = _Bucket(self._capacity, now)
        bucket.tokens = min(self._capacity, bucket.tokens + (now - bucket.at) * self._per_second)
        bucket.at = now
        if count <= bucket.tokens:
            bucket.tokens -= count
            return 0.0
        if count > self._capacity:
            return float("inf")
        return (count - bucket.tokens) / self._per_second

    def _forget_full(self, now: float) -> None:
        refill = self._capacity / self._per_second
        for user in [u for u, b in self._buckets.items() if now - b.at >= refill]:
            del self._buckets[user]
