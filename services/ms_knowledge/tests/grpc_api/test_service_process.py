"""`python -m ms_knowledge` as it runs in production: migrates, serves, relays events, stops on
SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import grpc
import pytest_asyncio
from grpc_health.v1 import health_pb2
from knowledge.knowledge.v1 import space_pb2, space_service_pb2, space_service_pb2_grpc
from knowledge_kit.testing import JwksEndpoint

from .test_events_on_kafka import events_about


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest_asyncio.fixture
async def service_process(
    tmp_path: Path, kafka_bootstrap: str, jwks_endpoint: JwksEndpoint
) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    port = free_port()
    environment = {
        **os.environ,
        "MS_KNOWLEDGE_GRPC_HOST": "127.0.0.1",
        "MS_KNOWLEDGE_GRPC_PORT": str(port),
        "MS_KNOWLEDGE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'knowledge.db'}",
        "MS_KNOWLEDGE_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "MS_KNOWLEDGE_AUTH_JWKS_URL": jwks_endpoint.url,
        "MS_KNOWLEDGE_AUTH_ISSUER": jwks_endpoint.issuer,
        "MS_KNOWLEDGE_AUTH_AUDIENCE": jwks_endpoint.audience,
        "MS_KNOWLEDGE_SHUTDOWN_GRACE_SECONDS": "1",
        # Every request traced, so that its event must carry the trace.
        "MS_KNOWLEDGE_TRACE_SAMPLE_RATIO": "1",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "ms_knowledge", env=environment, stdout=asyncio.subprocess.DEVNULL
    )
    try:
        yield process, f"127.0.0.1:{port}"
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_the_service_serves_relays_and_stops_gracefully(
    service_process: tuple[asyncio.subprocess.Process, str],
    kafka_bootstrap: str,
    mint_token: Callable[..., str],
) -> None:
    process, target = service_process
    async with grpc.aio.insecure_channel(target) as channel:
        check_health = channel.unary_unary(
            "/grpc.health.v1.Health/Check",
            request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
            response_deserializer=health_pb2.HealthCheckResponse.FromString,
        )
        health = await check_health(
            health_pb2.HealthCheckRequest(service="knowledge.knowledge.v1.SpaceService"),
            wait_for_ready=True,
            timeout=60,
        )
        created = await space_service_pb2_grpc.SpaceServiceStub(channel).CreateSpace(
            space_service_pb2.CreateSpaceRequest(space=space_pb2.Space(display_name="Ops")),
            metadata=(("authorization", f"Bearer {mint_token('users/olivia')}"),),
        )

    events = await events_about(kafka_bootstrap, created.space.name, 1)
    process.send_signal(signal.SIGTERM)
    exit_code = await asyncio.wait_for(process.wait(), 30)

    assert health.status == health_pb2.HealthCheckResponse.SERVING
    assert events[0][2].type == "knowledge.knowledge.v1.SpaceCreated"
    assert events[0][2].trace.traceparent, "the event carries the trace of its request"
    assert exit_code == 0
