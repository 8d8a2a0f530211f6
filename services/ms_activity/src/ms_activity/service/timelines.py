"""Timelines (ListActivities): a user's, a space's or a resource's activities, newest first,
filtered, paged by the position of the last one sent (so activities recorded meanwhile do not
shift the pages)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from knowledge_kit.api import Clock, Page, PageTokens, Position, utc_now
from knowledge_kit.api.pages import invalid_page_token
from knowledge_kit.auth import Principal

from ..domain.filters import Filters
from ..domain.ranges import checked_window
from ..domain.scope import scope_of
from ..store import Activity, ActivityStore, TimelineQuery
from .access import Access


@dataclass(frozen=True, slots=True)
class TimelineRequest:
    parent: str
    page_size: int
    page_token: str
    start: datetime | None
    end: datetime | None
    filters: Filters


class Timelines:
    def __init__(
        self,
        store: ActivityStore,
        access: Access,
        pages: PageTokens,
        retention: timedelta,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._access = access
        self._pages = pages
        self._retention = retention
        self._clock = clock

    async def list(self, principal: Principal, request: TimelineRequest) -> Page[Activity]:
        scope = scope_of(request.parent, platform_allowed=False)
        start, end = checked_window(
            request.start, request.end, now=self._clock(), retention=self._retention
        )
        listing = [request.parent, *request.filters.listing(), _shown(request.start), _shown(end)]
        page = self._pages.request(request.page_size, request.page_token, listing=listing)
        await self._access.check(principal, scope)
        rows = await self._store.timeline(
            TimelineQuery(
                scope_kind=scope.kind,
                scope=scope.name,
                start=start,
                end=end,
                filters=request.filters,
                after=_after(page.after),
                limit=page.fetch_limit,
            )
        )
        return page.page(rows, _position)


def _position(activity: Activity) -> Position:
    return [_micros(activity.occur_time), activity.id]


def _after(position: Position | None) -> tuple[datetime, str] | None:
    if position is None:
        return None
    match position:
        case [int(micros), str(activity_id)]:
            try:
                return datetime.fromtimestamp(0, UTC) + timedelta(microseconds=micros), activity_id
            except OverflowError:
                raise invalid_page_token() from None
    raise invalid_page_token()


def _micros(moment: datetime) -> int:
    return (moment - datetime.fromtimestamp(0, UTC)) // timedelta(microseconds=1)


def _shown(moment: datetime | None) -> str:
    return "" if moment is None else str(_micros(moment))
