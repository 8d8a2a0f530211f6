"""Every RPC of every service this server serves answers hostile requests (bytes that do not
parse, huge and extreme values, NUL characters) with a deliberate status, never UNKNOWN or
INTERNAL, and the service stays SERVING. Methods come from the server's reflection: a new RPC is
fuzzed without a line here (a seed below only helps its cases past the first checks)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import grpc
from google.protobuf.message import Message
from knowledge.activity.v1 import activity_pb2 as pb
from knowledge.activity.v1 import activity_service_pb2 as api
from knowledge.common.v1.time_range_pb2 import TimeRange
from knowledge_kit.testing.fuzz_server import fuzz_server

from ms_activity.server.messages import timestamp

from ..support import NOW, Events, Spaces
from .conftest import bearer
from .seeds import ADA, SPACE, edits

# The whole run stays within about 20 seconds: cases left over are counted, not sent.
BUDGET_SECONDS = 16.0


async def seeds(events: Events, spaces: Spaces) -> dict[str, dict[str, Message]]:
    """A valid request per method, on activities of a space Ada is a member of."""
    await edits(events, spaces, 3)
    day = TimeRange(start_time=timestamp(NOW - timedelta(days=1)), end_time=timestamp(NOW))
    return {
        "ActivityService": {
            "ListActivities": api.ListActivitiesRequest(
                parent=SPACE,
                page_size=2,
                time_range=day,
                verbs=["document.updated"],
                actors=[ADA],
                sources=["ms_knowledge"],
                properties={"title": "Page 1"},
            ),
            "AggregateActivities": api.AggregateActivitiesRequest(
                parent=SPACE,
                time_range=day,
                interval=pb.AGGREGATE_INTERVAL_HOUR,
                time_zone="Asia/Kolkata",
                breakdown=pb.AGGREGATE_DIMENSION_ACTOR,
                breakdown_limit=5,
                top_count=3,
            ),
            "RecordActivities": api.RecordActivitiesRequest(
                activities=[
                    api.ReportedActivity(
                        id=str(uuid.uuid4()),
                        verb="document.viewed",
                        subject=f"{SPACE}/documents/d1",
                        occur_time=timestamp(NOW - timedelta(minutes=1)),
                        properties={"referrer": "search"},
                    )
                ],
                source="web",
            ),
            "EraseUserActivities": api.EraseUserActivitiesRequest(user=ADA),
            "GetErasureOperation": api.GetErasureOperationRequest(
                name=f"{ADA}/erasures/{'0' * 32}"
            ),
        },
    }


async def test_every_rpc_answers_hostile_requests_with_a_deliberate_status(
    channel: grpc.aio.Channel,
    events: Events,
    spaces: Spaces,
    mint_token: Callable[..., str],
) -> None:
    by_service = await seeds(events, spaces)
    await fuzz_server(
        channel, metadata=bearer(mint_token(ADA)), seeds=by_service, budget_seconds=BUDGET_SECONDS
    )
