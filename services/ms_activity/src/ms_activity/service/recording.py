"""RecordActivities: what signed-in users did in a client, checked as one batch (all or none),
within their share of the minute (counted across instances), in spaces they are members of, recorded once per client id."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from knowledge_kit.api import Clock, utc_now
from knowledge_kit.auth import Principal
from knowledge_kit.errors import PermissionDeniedError

from ..domain.errors import RateLimitedError
from ..domain.reported import Reported, checked_reports, checked_source
from ..repository.quotas import RecordQuotas
from ..store import Activity, ActivityStore
from .access import Access, is_admin


@dataclass(frozen=True, slots=True)
class Recorded:
    recorded: int
    duplicates: int


class Recording:
    def __init__(
        self,
        store: ActivityStore,
        access: Access,
        quotas: RecordQuotas,
        retention: timedelta,
        clock: Clock = utc_now,
    ) -> None:
        self._store = store
        self._access = access
        self._quotas = quotas
        self._retention = retention
        self._clock = clock

    async def record(
        self, principal: Principal, reported: Sequence[Reported], source: str
    ) -> Recorded:
        now = self._clock()
        client = checked_source(source)
        checked = checked_reports(reported, now, self._retention)
        if not is_admin(principal):
            for space in sorted({one.space for one in checked if one.space}):
                if not await self._access.is_member(principal.name, space):
                    raise PermissionDeniedError(
                        f"{principal.name} is not a member of {space}, so records nothing there"
                    )
        wait = await self._quotas.take(principal.name, len(checked), now)
        if wait:
            raise RateLimitedError(_refusal(principal.name, wait), retry_after=wait)
        activities = [
            Activity(
                id=one.id,
                verb=one.verb,
                actor=principal.name,
                actor_display_name="",
                subject=one.subject,
                space=one.space,
                source=client,
                event_type="",
                occur_time=one.occur_time,
                record_time=now,
                properties=one.properties,
            )
            for one in checked
        ]
        fresh = await self._store.record(activities)
        return Recorded(recorded=len(fresh), duplicates=len(activities) - len(fresh))


def _refusal(user: str, wait: float) -> str:
    if wait == math.inf:
        return "the batch holds more activities than a user may record in a minute"
    return (
        f"{user} recorded too many activities this minute: nothing of this batch was recorded; "
        f"retry in {math.ceil(wait)} seconds"
    )
