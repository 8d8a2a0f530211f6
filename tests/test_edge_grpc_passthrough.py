"""Server-side callers reach every service through the edge's one gRPC port, streams included."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import grpc
import pytest
from fleet.infra.net import free_port
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from knowledge_kit.rpc.client import ServiceChannels

from .edge_harness import running_edge
from .test_edge_grpc_web import Echo, upstream  # noqa: F401  (the fixture)

WATCHED = "knowledge.test.v1.TestService"


@pytest.fixture
async def edge_channel(upstream: tuple[str, object, Echo]) -> AsyncIterator[grpc.aio.Channel]:  # noqa: F811
    address = upstream[0]
    port = free_port()
    async with (
        running_edge(
            grpc_routes={"grpc.health.v1": address, "test.echo.v1": address}, grpc_port=port
        ),
        grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel,
    ):
        yield channel


async def test_a_unary_call_carries_metadata_both_ways(
    edge_channel: grpc.aio.Channel,
    upstream: tuple[str, object, Echo],  # noqa: F811
) -> None:
    echo = edge_channel.unary_unary("/test.echo.v1.EchoService/Echo")
    call = echo(b"hello", metadata=(("authorization", "Bearer token-123"),))
    assert await call == b"olleh"
    assert upstream[2].metadata["authorization"] == "Bearer token-123"
    assert ("x-served-by", "echo") in tuple(await call.initial_metadata())
    assert ("x-details-bin", b"\x00\x01binary") in tuple(await call.trailing_metadata())


async def test_a_server_stream_delivers_each_update_as_it_happens(
    edge_channel: grpc.aio.Channel,
    upstream: tuple[str, health.aio.HealthServicer, Echo],  # noqa: F811
) -> None:
    updates = health_pb2_grpc.HealthStub(edge_channel).Watch(
        health_pb2.HealthCheckRequest(service=WATCHED)
    )
    first = await updates.read()
    await upstream[1].set(WATCHED, health_pb2.HealthCheckResponse.NOT_SERVING)
    second = await updates.read()
    updates.cancel()
    assert first.status == health_pb2.HealthCheckResponse.SERVING
    assert second.status == health_pb2.HealthCheckResponse.NOT_SERVING


async def test_the_services_status_codes_reach_the_caller(edge_channel: grpc.aio.Channel) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await health_pb2_grpc.HealthStub(edge_channel).Check(
            health_pb2.HealthCheckRequest(service="knowledge.nothing.v1.Missing")
        )
    assert missing.value.code() == grpc.StatusCode.NOT_FOUND


async def test_a_stream_that_fails_delivers_its_replies_then_its_status(
    edge_channel: grpc.aio.Channel,
) -> None:
    for _ in range(20):  # the replies and the status may arrive at the edge together
        stream = edge_channel.unary_stream("/test.echo.v1.EchoService/TwoThenFailed")(b"")
        replies = []
        with pytest.raises(grpc.aio.AioRpcError) as failed:
            async for reply in stream:
                replies.append(reply)
        assert replies == [b"one", b"two"]
        assert (failed.value.code(), failed.value.details()) == (
            grpc.StatusCode.INTERNAL,
            "failed after two",
        )


async def test_a_method_no_service_serves_is_unimplemented(edge_channel: grpc.aio.Channel) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as unknown:
        await edge_channel.unary_unary("/knowledge.nothing.v1.Nothing/Get")(b"")
    assert unknown.value.code() == grpc.StatusCode.UNIMPLEMENTED


async def test_a_caller_hanging_up_cancels_the_upstream_call(
    edge_channel: grpc.aio.Channel,
    upstream: tuple[str, object, Echo],  # noqa: F811
) -> None:
    watch = edge_channel.unary_stream("/test.echo.v1.EchoService/Watch")(b"")
    assert await watch.read() == b"first"
    watch.cancel()
    await asyncio.wait_for(upstream[2].stream_cancelled.wait(), timeout=10)


async def test_a_call_refused_before_any_answer_is_retried_by_the_callers_channel(
    upstream: tuple[str, object, Echo],  # noqa: F811
) -> None:
    """An upstream that refuses a call without answering (an instance as it stops) must reach the
    caller as such a refusal, with no response headers, so the caller's retry policy may send it
    again; headers would commit the call to its first attempt."""
    echo = upstream[2]
    echo.refusals_left = 2
    port = free_port()
    method = "test.echo.v1.EchoService/Refused"
    channels = ServiceChannels(max_attempts=4)
    try:
        async with running_edge(grpc_routes={"test.echo.v1": upstream[0]}, grpc_port=port):
            channel = channels.channel(f"127.0.0.1:{port}", idempotent_methods=[method])
            assert await channel.unary_unary(f"/{method}")(b"ready") == b"ydaer"
    finally:
        await channels.close()
    assert echo.attempts == 3
