"""Bytes that are not the method's request message are INVALID_ARGUMENT naming the message,
whatever the method's shape, with no exception class sent and no traceback logged."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest

from knowledge_kit.testing import JwksEndpoint
from knowledge_kit.testing.plugin import StartGrpcServer

from .echo_service import SERVICE, EchoServicer, add_EchoServicer_to_server, bearer

# A field 1 header announcing 127 bytes that never come.
NOT_A_MESSAGE = b"\x0a\x7f\x01"


REFLECTION = "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"


async def _stream() -> AsyncIterator[bytes]:
    yield b""
    yield NOT_A_MESSAGE


async def _call_raw(channel: grpc.aio.Channel, method: str, metadata: Any) -> None:
    """Sends NOT_A_MESSAGE to `method` as raw bytes, the way a broken client would."""
    if method == f"/{SERVICE}/Join":
        join: grpc.aio.StreamUnaryMultiCallable[bytes, bytes] = channel.stream_unary(method)
        await join(_stream(), metadata=metadata)
    elif method == REFLECTION:
        both: grpc.aio.StreamStreamMultiCallable[bytes, bytes] = channel.stream_stream(method)
        async for _ in both(_stream(), metadata=metadata):
            pass
    elif method == f"/{SERVICE}/Count":
        count: grpc.aio.UnaryStreamMultiCallable[bytes, bytes] = channel.unary_stream(method)
        async for _ in count(NOT_A_MESSAGE, metadata=metadata):
            pass
    else:
        unary: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(method)
        await unary(NOT_A_MESSAGE, metadata=metadata)


@pytest.mark.parametrize(
    ("method", "message"),
    [
        (f"/{SERVICE}/Echo", "google.protobuf.StringValue"),
        (f"/{SERVICE}/Count", "google.protobuf.StringValue"),
        (f"/{SERVICE}/Join", "google.protobuf.StringValue"),
        ("/grpc.health.v1.Health/Check", "grpc.health.v1.HealthCheckRequest"),
        (REFLECTION, "grpc.reflection.v1alpha.ServerReflectionRequest"),
    ],
)
async def test_a_request_that_does_not_parse_is_invalid_argument_naming_the_message(
    start_grpc_server: StartGrpcServer,
    jwks_endpoint: JwksEndpoint,
    caplog: pytest.LogCaptureFixture,
    method: str,
    message: str,
) -> None:
    running = await start_grpc_server((add_EchoServicer_to_server, EchoServicer()))
    async with grpc.aio.insecure_channel(running.target) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await _call_raw(channel, method, bearer(jwks_endpoint.mint()))
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert refused.value.details() == f"the request is not a valid {message} message"
    logged = [record for record in caplog.records if not _from_an_earlier_loop(record)]
    assert not [record for record in logged if record.exc_info]
    assert not [record for record in logged if record.levelno >= logging.ERROR]


def _from_an_earlier_loop(record: logging.LogRecord) -> bool:
    """grpc.aio's completion-queue poller, left by an earlier test on its closed event loop,
    reports that loop closed through asyncio's logger: noise from grpc, not this request."""
    return record.name == "asyncio" and "PollerCompletionQueue" in record.getMessage()


async def test_the_server_answers_well_formed_requests_after_malformed_ones(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    running = await start_grpc_server((add_EchoServicer_to_server, EchoServicer()))
    metadata = bearer(jwks_endpoint.mint("users/alice"))
    async with grpc.aio.insecure_channel(running.target) as channel:
        echo: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(
            f"/{SERVICE}/Echo"
        )
        with pytest.raises(grpc.aio.AioRpcError):
            await echo(NOT_A_MESSAGE, metadata=metadata)
        assert await echo(b"\x0a\x02hi", metadata=metadata) == b"\x0a\x0eusers/alice:hi"
