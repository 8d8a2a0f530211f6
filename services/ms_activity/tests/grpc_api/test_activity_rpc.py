"""ActivityService through gRPC behind the kit's pipeline: what a client reports is on its
timeline, a retried batch is not counted twice, bad requests are INVALID_ARGUMENT naming the
field with nothing recorded, a spent minute is RESOURCE_EXHAUSTED with when to retry, on
every instance of one database, foreign timelines are
PERMISSION_DENIED, an erasure is followed to its end."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import grpc
import pytest
from knowledge.activity.v1 import activity_pb2 as pb
from knowledge.activity.v1 import activity_service_pb2 as api
from knowledge.activity.v1 import activity_service_pb2_grpc
from knowledge.common.v1.time_range_pb2 import TimeRange
from knowledge_kit.database import create_database_engine, session_factory
from knowledge_kit.errors import field_violations_of

from ms_activity.config import Settings
from ms_activity.main import ActivityParts, activity_parts, servicers
from ms_activity.server.messages import timestamp
from ms_activity.server.refusals import retry_delay_of
from ms_activity.store import ActivityStore

from ..support import NOW, Clock, Events, Spaces
from .conftest import Metadata, bearer
from .seeds import ADA, BOB, CY, SPACE, edits


def viewed(document: str = "d1") -> api.ReportedActivity:
    return api.ReportedActivity(
        id=str(uuid.uuid4()), verb="document.viewed", subject=f"{SPACE}/documents/{document}"
    )


async def refusal(call: object) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await call  # type: ignore[misc]
    return refused.value


async def test_reported_activities_reach_the_timeline_once(
    stub: activity_service_pb2_grpc.ActivityServiceAsyncStub,
    spaces: Spaces,
    mint_token: Callable[..., str],
) -> None:
    await spaces.add(SPACE, ADA)
    ada = bearer(mint_token(ADA))
    batch = api.RecordActivitiesRequest(activities=[viewed("d1"), viewed("d2")], source="web")
    first = await stub.RecordActivities(batch, metadata=ada)
    again = await stub.RecordActivities(batch, metadata=ada)
    assert (first.recorded_count, again.recorded_count, again.duplicate_count) == (2, 0, 2)
    listed = await stub.ListActivities(api.ListActivitiesRequest(parent=ADA), metadata=ada)
    assert {one.subject for one in listed.activities} == {
        f"{SPACE}/documents/d1",
        f"{SPACE}/documents/d2",
    }
    assert all(one.source == "web" and one.verb == "document.viewed" for one in listed.activities)


async def test_bad_requests_name_the_field_and_record_nothing(
    stub: activity_service_pb2_grpc.ActivityServiceAsyncStub,
    spaces: Spaces,
    mint_token: Callable[..., str],
) -> None:
    await spaces.add(SPACE, ADA)
    ada = bearer(mint_token(ADA))
    huge = api.RecordActivitiesRequest(activities=[viewed() for _ in range(10_000)])
    future = viewed()
    future.occur_time.CopyFrom(timestamp(NOW + timedelta(hours=1)))
    cases: list[tuple[object, str]] = [
        (stub.RecordActivities(huge, metadata=ada), "activities"),
        (
            stub.RecordActivities(
                api.RecordActivitiesRequest(activities=[viewed(), future]), metadata=ada
            ),
            "activities[1].occur_time",
        ),
        (
            stub.AggregateActivities(
                api.AggregateActivitiesRequest(
                    parent=SPACE,
                    time_range=TimeRange(start_time=timestamp(NOW - timedelta(days=1))),
                    time_zone="Atlantis/Capital",
                ),
                metadata=ada,
            ),
            "time_zone",
        ),
        (
            stub.ListActivities(
                api.ListActivitiesRequest(
                    parent=SPACE,
                    time_range=TimeRange(
                        start_time=timestamp(NOW), end_time=timestamp(NOW - timedelta(hours=1))
                    ),
                ),
                metadata=ada,
            ),
            "time_range",
        ),
        (
            stub.ListActivities(
                api.ListActivitiesRequest(parent=SPACE, page_size=-1), metadata=ada
            ),
            "page_size",
        ),
    ]
    for call, field in cases:
        refused = await refusal(call)
        assert refused.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert next(violation.field for violation in field_violations_of(refused)) == field
    listed = await stub.ListActivities(api.ListActivitiesRequest(parent=ADA), metadata=ada)
    assert list(listed.activities) == []


async def test_a_spent_minute_is_resource_exhausted_with_when_to_retry_on_every_instance(
    stub: activity_service_pb2_grpc.ActivityServiceAsyncStub,
    settings: Settings,
    database_url: str,
    store: ActivityStore,
    clock: Clock,
    spaces: Spaces,
    start_grpc_server: Callable[..., Any],
    service_settings: Any,
    mint_token: Callable[..., str],
) -> None:
    await spaces.add(SPACE, BOB)
    bob = bearer(mint_token(BOB))
    engine = create_database_engine(database_url, traced=False)
    try:
        other = activity_parts(settings, session_factory(engine), store, clock)
        own = service_settings.model_dump(exclude={"service_name", "public_methods"})
        running = await start_grpc_server(*servicers(other), settings=Settings(**own))
        async with grpc.aio.insecure_channel(running.target) as channel:
            second = activity_service_pb2_grpc.ActivityServiceStub(channel)
            for instance in (stub, second):
                batch = api.RecordActivitiesRequest(activities=[viewed() for _ in range(500)])
                await instance.RecordActivities(batch, metadata=bob)
            more = api.RecordActivitiesRequest(activities=[viewed() for _ in range(100)])
            for instance in (stub, second):
                refused = await refusal(instance.RecordActivities(more, metadata=bob))
                assert refused.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
                assert "retry in 60 seconds" in (refused.details() or "")
                assert retry_delay_of(refused.trailing_metadata()) == 60.0
    finally:
        await engine.dispose()
    listed = await stub.ListActivities(
        api.ListActivitiesRequest(parent=BOB, page_size=200), metadata=bob
    )
    assert len(listed.activities) == 200 and listed.next_page_token


async def test_who_sees_what(
    stub: activity_service_pb2_grpc.ActivityServiceAsyncStub,
    events: Events,
    spaces: Spaces,
    mint_token: Callable[..., str],
) -> None:
    await edits(events, spaces, 2)
    cy: Metadata = bearer(mint_token(CY))
    admin: Metadata = bearer(mint_token(CY, roles=["admin"]))
    day = TimeRange(start_time=timestamp(NOW - timedelta(days=1)), end_time=timestamp(NOW))
    for request in (api.ListActivitiesRequest(parent=SPACE), api.ListActivitiesRequest(parent=ADA)):
        refused = await refusal(stub.ListActivities(request, metadata=cy))
        assert refused.code() == grpc.StatusCode.PERMISSION_DENIED
        assert len((await stub.ListActivities(request, metadata=admin)).activities) >= 1
    platform = api.AggregateActivitiesRequest(
        time_range=day, interval=pb.AGGREGATE_INTERVAL_HOUR, time_zone="Asia/Kolkata"
    )
    refused = await refusal(stub.AggregateActivities(platform, metadata=cy))
    assert refused.code() == grpc.StatusCode.PERMISSION_DENIED
    answer = await stub.AggregateActivities(platform, metadata=admin)
    assert (answer.total, answer.time_zone, len(answer.buckets)) == (2, "Asia/Kolkata", 25)


async def test_an_erasure_is_followed_to_its_end(
    stub: activity_service_pb2_grpc.ActivityServiceAsyncStub,
    parts: ActivityParts,
    events: Events,
    spaces: Spaces,
    mint_token: Callable[..., str],
) -> None:
    await edits(events, spaces, 4)
    ada = bearer(mint_token(ADA))
    started = await stub.EraseUserActivities(api.EraseUserActivitiesRequest(user=ADA), metadata=ada)
    assert started.operation.state == pb.ERASURE_STATE_RUNNING
    stop = asyncio.Event()
    runner = asyncio.create_task(parts.erasures.run(stop))
    try:
        async with asyncio.timeout(30):
            while True:
                got = await stub.GetErasureOperation(
                    api.GetErasureOperationRequest(name=started.operation.name), metadata=ada
                )
                if got.operation.state != pb.ERASURE_STATE_RUNNING:
                    break
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await runner
    assert (got.operation.state, got.operation.erased_count) == (pb.ERASURE_STATE_SUCCEEDED, 2)
    assert got.operation.HasField("end_time")
    listed = await stub.ListActivities(api.ListActivitiesRequest(parent=SPACE), metadata=ada)
    assert {one.actor.name for one in listed.activities} == {BOB}
    refused = await refusal(
        stub.EraseUserActivities(
            api.EraseUserActivitiesRequest(user=BOB), metadata=bearer(mint_token(CY))
        )
    )
    assert refused.code() == grpc.StatusCode.PERMISSION_DENIED
