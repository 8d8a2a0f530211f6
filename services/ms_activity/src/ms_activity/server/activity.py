"""knowledge.activity.v1.ActivityService on the timeline, aggregate, recording and erasure use
cases. The caller is whoever the token names; the use cases check what they may see."""

from __future__ import annotations

from typing import Any

import grpc
from knowledge.activity.v1 import activity_service_pb2 as api
from knowledge.activity.v1 import activity_service_pb2_grpc
from knowledge_kit.api import caller, checked_time, checked_time_range

from ..domain.errors import RateLimitedError
from ..domain.filters import checked_filters
from ..domain.reported import Reported
from ..service.aggregates import AggregateRequest, Aggregates
from ..service.erasures import Erasures
from ..service.recording import Recording
from ..service.timelines import TimelineRequest, Timelines
from .messages import (
    activity_message,
    aggregate_fields,
    dimension_of,
    erasure_message,
    interval_of,
)
from .refusals import rate_limited_trailers

Context = grpc.aio.ServicerContext[Any, Any]


class ActivityServicer(activity_service_pb2_grpc.ActivityServiceServicer):
    def __init__(
        self,
        timelines: Timelines,
        aggregates: Aggregates,
        recording: Recording,
        erasures: Erasures,
    ) -> None:
        self._timelines = timelines
        self._aggregates = aggregates
        self._recording = recording
        self._erasures = erasures

    async def ListActivities(
        self, request: api.ListActivitiesRequest, context: Context
    ) -> api.ListActivitiesResponse:
        start, end = checked_time_range(request.time_range, "time_range")
        filters = checked_filters(
            event_types=request.event_types,
            verbs=request.verbs,
            actors=request.actors,
            sources=request.sources,
            properties=request.properties,
        )
        page = await self._timelines.list(
            caller(),
            TimelineRequest(
                parent=request.parent,
                page_size=request.page_size,
                page_token=request.page_token,
                start=start,
                end=end,
                filters=filters,
            ),
        )
        return api.ListActivitiesResponse(
            activities=[activity_message(one) for one in page.items],
            next_page_token=page.next_page_token,
        )

    async def AggregateActivities(
        self, request: api.AggregateActivitiesRequest, context: Context
    ) -> api.AggregateActivitiesResponse:
        start, end = checked_time_range(request.time_range, "time_range")
        filters = checked_filters(
            event_types=request.event_types,
            verbs=request.verbs,
            actors=request.actors,
            sources=request.sources,
        )
        aggregate, zone = await self._aggregates.aggregate(
            caller(),
            AggregateRequest(
                parent=request.parent,
                start=start,
                end=end,
                interval=interval_of(request.interval),
                time_zone=request.time_zone,
                filters=filters,
                breakdown=dimension_of(request.breakdown),
                breakdown_limit=request.breakdown_limit,
                top_count=request.top_count,
            ),
        )
        return api.AggregateActivitiesResponse(time_zone=zone, **aggregate_fields(aggregate))  # type: ignore[arg-type]

    async def RecordActivities(
        self, request: api.RecordActivitiesRequest, context: Context
    ) -> api.RecordActivitiesResponse:
        reported = [
            Reported(
                id=one.id,
                verb=one.verb,
                subject=one.subject,
                space=one.space,
                occur_time=(
                    checked_time(one.occur_time, f"activities[{index}].occur_time")
                    if one.HasField("occur_time")
                    else None
                ),
                properties=dict(one.properties),
            )
            for index, one in enumerate(request.activities)
        ]
        principal = caller()
        try:
            outcome = await self._recording.record(principal, reported, request.source)
        except RateLimitedError as refused:
            await context.abort(
                refused.status_code,
                refused.message,
                trailing_metadata=rate_limited_trailers(refused, principal.name),
            )
        return api.RecordActivitiesResponse(
            recorded_count=outcome.recorded, duplicate_count=outcome.duplicates
        )

    async def EraseUserActivities(
        self, request: api.EraseUserActivitiesRequest, context: Context
    ) -> api.EraseUserActivitiesResponse:
        erasure = await self._erasures.erase(caller(), request.user)
        return api.EraseUserActivitiesResponse(operation=erasure_message(erasure))

    async def GetErasureOperation(
        self, request: api.GetErasureOperationRequest, context: Context
    ) -> api.GetErasureOperationResponse:
        erasure = await self._erasures.get(caller(), request.name)
        return api.GetErasureOperationResponse(operation=erasure_message(erasure))
