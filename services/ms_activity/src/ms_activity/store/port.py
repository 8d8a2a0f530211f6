"""What the service asks of the store of activities."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from .model import Activity, Aggregate, AggregateQuery, TimelineQuery


class ActivityStore(Protocol):
    """Activities kept for timelines and aggregates; every method may raise StoreUnavailable."""

    async def record(self, activities: Sequence[Activity]) -> set[str]:
        """Records each activity whose id was never recorded; the ids recorded now (the others
        were duplicates: redelivered, replayed or retried)."""
        ...

    async def timeline(self, query: TimelineQuery) -> list[Activity]:
        """A page of a timeline, newest first (occur_time, then id, descending)."""
        ...

    async def aggregate(self, query: AggregateQuery) -> Aggregate:
        """Counts per bucket of the query's zone, distinct actors, breakdown and top lists."""
        ...

    async def erase(self, user: str, until: datetime | None = None) -> int:
        """Deletes the user's activities (as actor, or about users/{user} and below) recorded
        until `until` from every timeline and aggregate; how many were deleted."""
        ...

    async def close(self) -> None: ...
