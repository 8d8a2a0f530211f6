"""Aggregates (AggregateActivities): counts per bucket in the caller's time zone, distinct
actors per bucket and over the range, a breakdown per bucket and the range's top objects and
actors; for a user themselves, a space's members, and the platform for administrators."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from knowledge_kit.api import Clock, utc_now
from knowledge_kit.auth import Principal
from knowledge_kit.errors import FieldViolation, ValidationError

from ..domain.buckets import (
    DEFAULT_BREAKDOWN_LIMIT,
    MAX_BREAKDOWN_LIMIT,
    MAX_TOP_COUNT,
    Dimension,
    Interval,
    check_bucket_count,
    checked_count,
)
from ..domain.filters import Filters
from ..domain.ranges import checked_window
from ..domain.scope import scope_of
from ..domain.zones import checked_zone
from ..store import ActivityStore, Aggregate, AggregateQuery
from .access import Access


@dataclass(frozen=True, slots=True)
class AggregateRequest:
    parent: str
    start: datetime | None
    end: datetime | None
    interval: Interval
    time_zone: str
    filters: Filters
    breakdown: Dimension
    breakdown_limit: int
    top_count: int


class Aggregates:
    def __init__(
        self,
        store: ActivityStore,
        access: Access,
        retention: timedelta,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._access = access
        self._retention = retention
        self._clock = clock

    async def aggregate(
        self, principal: Principal, request: AggregateRequest
    ) -> tuple[Aggregate, str]:
        """The aggregate and the name of the zone its buckets follow."""
        scope = scope_of(request.parent, platform_allowed=True)
        if request.start is None:
            raise ValidationError(
                "time_range.start_time is required",
                [FieldViolation("time_range.start_time", "must be set: where counting starts")],
            )
        now = self._clock()
        start, end = checked_window(request.start, request.end, now=now, retention=self._retention)
        end = end or now
        zone = checked_zone(request.time_zone)
        check_bucket_count(start, end, request.interval)
        limit = checked_count(
            request.breakdown_limit,
            "breakdown_limit",
            default=DEFAULT_BREAKDOWN_LIMIT,
            lowest=1,
            highest=MAX_BREAKDOWN_LIMIT,
        )
        if not 0 <= request.top_count <= MAX_TOP_COUNT:
            raise ValidationError(
                f"top_count is {request.top_count}",
                [FieldViolation("top_count", f"must be 0 to {MAX_TOP_COUNT}")],
            )
        await self._access.check(principal, scope)
        aggregate = await self._store.aggregate(
            AggregateQuery(
                scope_kind=scope.kind,
                scope=scope.name,
                start=start,
                end=end,
                interval=request.interval,
                time_zone=zone.key,
                filters=request.filters,
                breakdown=request.breakdown,
                breakdown_limit=limit,
                top_count=request.top_count,
            )
        )
        return aggregate, zone.key
