"""`python -m ms_knowledge` as it runs in production: migrates, serves, relays events, stops on
SIGTERM."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import grpc
from knowledge.knowledge.v1 import space_pb2, space_service_pb2, space_service_pb2_grpc
from knowledge_kit.testing.service_process import ServiceProcess

from .test_events_on_kafka import events_about


async def test_the_service_serves_relays_and_stops_gracefully(
    start_service_process: Callable[..., Awaitable[ServiceProcess]],
    sqlite_database_url: str,
    kafka_bootstrap: str,
    mint_token: Callable[..., str],
) -> None:
    service = await start_service_process(
        "ms_knowledge",
        {
            "DATABASE_URL": sqlite_database_url,
            "KAFKA_BOOTSTRAP": kafka_bootstrap,
            "SHUTDOWN_GRACE_SECONDS": "1",
            # Every request traced, so that its event must carry the trace.
            "TRACE_SAMPLE_RATIO": "1",
        },
    )
    await service.serving("knowledge.knowledge.v1.SpaceService")
    async with grpc.aio.insecure_channel(service.target) as channel:
        created = await space_service_pb2_grpc.SpaceServiceStub(channel).CreateSpace(
            space_service_pb2.CreateSpaceRequest(space=space_pb2.Space(display_name="Ops")),
            metadata=(("authorization", f"Bearer {mint_token('users/olivia')}"),),
        )

    events = await events_about(kafka_bootstrap, created.space.name, 1)
    await service.stop_on_sigterm()

    assert events[0][2].type == "knowledge.knowledge.v1.SpaceCreated"
    assert events[0][2].trace.traceparent, "the event carries the trace of its request"
