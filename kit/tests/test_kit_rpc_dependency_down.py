"""A service whose dependency is down answers UNAVAILABLE (callers retry it) naming the
dependency, never INTERNAL and never the dependency's address."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import grpc
import pytest
import pytest_asyncio
from google.protobuf.wrappers_pb2 import StringValue

from knowledge_kit.errors import DependencyUnavailableError
from knowledge_kit.rpc.client import ServiceChannels
from knowledge_kit.testing import JwksEndpoint
from knowledge_kit.testing.plugin import StartGrpcServer

from .echo_service import EchoServicer, add_EchoServicer_to_server, bearer, echo_stub


@pytest.fixture
def dead_target() -> str:
    """An address nothing listens on (a port just bound and released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{probe.getsockname()[1]}"


@pytest_asyncio.fixture
async def channels() -> AsyncIterator[ServiceChannels]:
    service_channels = ServiceChannels(default_timeout_seconds=2.0)
    yield service_channels
    await service_channels.close()


async def _relay(target: str, token: str) -> grpc.aio.AioRpcError:
    async with grpc.aio.insecure_channel(target) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as failed:
            await echo_stub(channel, "Relay")(StringValue(value="hi"), metadata=bearer(token))
    return failed.value


async def test_a_call_through_the_kits_channel_to_a_dead_service_is_unavailable_naming_it(
    start_grpc_server: StartGrpcServer,
    jwks_endpoint: JwksEndpoint,
    channels: ServiceChannels,
    dead_target: str,
) -> None:
    relay = EchoServicer(downstream=channels.channel(dead_target))
    running = await start_grpc_server((add_EchoServicer_to_server, relay))
    failure = await _relay(running.target, jwks_endpoint.mint())
    assert failure.code() is grpc.StatusCode.UNAVAILABLE
    assert failure.details() == "kit.test.Echo, which this service depends on, is unavailable"
    assert dead_target not in f"{failure.details()} {failure.trailing_metadata()}"


async def test_any_channel_to_a_dead_service_makes_the_caller_unavailable(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint, dead_target: str
) -> None:
    async with grpc.aio.insecure_channel(dead_target) as downstream:
        running = await start_grpc_server(
            (add_EchoServicer_to_server, EchoServicer(downstream=downstream))
        )
        failure = await _relay(running.target, jwks_endpoint.mint())
    assert failure.code() is grpc.StatusCode.UNAVAILABLE
    assert failure.details() == "a service this one depends on is unavailable"


async def test_the_kits_channel_raises_a_kit_error_for_a_dead_service(
    channels: ServiceChannels, dead_target: str
) -> None:
    with pytest.raises(DependencyUnavailableError) as unavailable:
        await echo_stub(channels.channel(dead_target))(StringValue(value="hi"))
    assert unavailable.value.dependency == "kit.test.Echo"
    assert unavailable.value.status_code is grpc.StatusCode.UNAVAILABLE
