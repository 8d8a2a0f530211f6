"""Browsers reach gRPC services through the local edge's gRPC-web translation."""

from __future__ import annotations

import asyncio
import base64
import struct
from collections.abc import AsyncIterator

import aiohttp
import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from .edge_harness import running_edge

BINARY = "application/grpc-web+proto"
HEALTH_CHECK = "/grpc.health.v1.Health/Check"
HEALTH_WATCH = "/grpc.health.v1.Health/Watch"


def frame(message: bytes) -> bytes:
    return struct.pack(">BI", 0, len(message)) + message


def split_frames(body: bytes) -> tuple[list[bytes], dict[str, str]]:
    messages: list[bytes] = []
    trailers: dict[str, str] = {}
    while body:
        flags, length = struct.unpack_from(">BI", body)
        payload, body = body[5 : 5 + length], body[5 + length :]
        if flags & 0x80:
            for line in payload.decode().split("\r\n"):
                if line:
                    key, value = line.split(":", 1)
                    trailers[key] = value
        else:
            messages.append(payload)
    return messages, trailers


class Echo:
    """A raw-bytes service that shows what reached it and can stream until cancelled."""

    def __init__(self) -> None:
        self.metadata: dict[str, str | bytes] = {}
        self.stream_cancelled = asyncio.Event()
        self.refusals_left = 0
        self.attempts = 0

    async def echo(self, request: bytes, context: grpc.aio.ServicerContext[bytes, bytes]) -> bytes:
        self.metadata = dict(context.invocation_metadata() or ())
        await context.send_initial_metadata((("x-served-by", "echo"),))
        context.set_trailing_metadata((("x-details-bin", b"\x00\x01binary"),))
        return request[::-1]

    async def refused_then_answered(
        self, request: bytes, context: grpc.aio.ServicerContext[bytes, bytes]
    ) -> bytes:
        """Refuses with UNAVAILABLE, before any answer, while `refusals_left` lasts (an instance
        that is stopping); then answers as `echo` does."""
        self.attempts += 1
        if self.refusals_left > 0:
            self.refusals_left -= 1
            await context.abort(grpc.StatusCode.UNAVAILABLE, "the instance is stopping")
        return request[::-1]

    async def two_then_failed(
        self, request: bytes, context: grpc.aio.ServicerContext[bytes, bytes]
    ) -> AsyncIterator[bytes]:
        """A stream that fails after its first replies."""
        yield b"one"
        yield b"two"
        await context.abort(grpc.StatusCode.INTERNAL, "failed after two")

    async def first_then_silence(
        self, request: bytes, context: grpc.aio.ServicerContext[bytes, bytes]
    ) -> AsyncIterator[bytes]:
        """Like a Watch with nothing new to say: the edge only learns of a gone browser by itself."""
        context.add_done_callback(lambda _: self.stream_cancelled.set())
        yield b"first"
        await asyncio.Event().wait()


@pytest.fixture
async def upstream() -> AsyncIterator[tuple[str, health.aio.HealthServicer, Echo]]:
    server = grpc.aio.server()
    health_servicer = health.aio.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, server)
    echo = Echo()
    server.add_generic_rpc_handlers(
        (
            grpc.method_handlers_generic_handler(
                "test.echo.v1.EchoService",
                {
                    "Echo": grpc.unary_unary_rpc_method_handler(echo.echo),
                    "Watch": grpc.unary_stream_rpc_method_handler(echo.first_then_silence),
                    "Refused": grpc.unary_unary_rpc_method_handler(echo.refused_then_answered),
                    "TwoThenFailed": grpc.unary_stream_rpc_method_handler(echo.two_then_failed),
                },
            ),
        )
    )
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    await health_servicer.set(
        "knowledge.test.v1.TestService", health_pb2.HealthCheckResponse.SERVING
    )
    try:
        yield f"127.0.0.1:{port}", health_servicer, echo
    finally:
        await server.stop(grace=None)


@pytest.fixture
async def edge(upstream: tuple[str, object, Echo]) -> AsyncIterator[str]:
    address = upstream[0]
    async with running_edge(
        grpc_routes={"grpc.health.v1": address, "test.echo.v1": address},
        allowed_origins=["http://app.localhost:3000"],
    ) as url:
        yield url


async def call(url: str, path: str, message: bytes, **headers: str) -> aiohttp.ClientResponse:
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            url + path, data=frame(message), headers={"Content-Type": BINARY, **headers}
        )
        await response.read()
        return response


async def test_unary_call_answers_with_message_and_ok_trailer(edge: str) -> None:
    request = health_pb2.HealthCheckRequest(service="knowledge.test.v1.TestService")
    response = await call(edge, HEALTH_CHECK, request.SerializeToString())
    messages, trailers = split_frames(await response.read())
    assert response.status == 200
    assert response.headers["Content-Type"] == BINARY
    assert trailers["grpc-status"] == "0"
    assert health_pb2.HealthCheckResponse.FromString(messages[0]).status == (
        health_pb2.HealthCheckResponse.SERVING
    )


async def test_upstream_error_arrives_as_grpc_status_in_trailers(edge: str) -> None:
    request = health_pb2.HealthCheckRequest(service="knowledge.nothing.v1.Missing")
    messages, trailers = split_frames(
        await (await call(edge, HEALTH_CHECK, request.SerializeToString())).read()
    )
    assert messages == []
    assert trailers["grpc-status"] == str(grpc.StatusCode.NOT_FOUND.value[0])


async def test_server_stream_delivers_each_update_as_it_happens(
    edge: str, upstream: tuple[str, health.aio.HealthServicer, Echo]
) -> None:
    _, health_servicer, _ = upstream
    request = health_pb2.HealthCheckRequest(service="knowledge.test.v1.TestService")
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            edge + HEALTH_WATCH,
            data=frame(request.SerializeToString()),
            headers={"Content-Type": BINARY},
        ) as response,
    ):
        first = await response.content.readexactly(5)
        _, length = struct.unpack(">BI", first)
        status = health_pb2.HealthCheckResponse.FromString(
            await response.content.readexactly(length)
        )
        assert status.status == health_pb2.HealthCheckResponse.SERVING
        # The response is still open: the next update arrives on the same stream.
        await health_servicer.set(
            "knowledge.test.v1.TestService", health_pb2.HealthCheckResponse.NOT_SERVING
        )
        _, length = struct.unpack(">BI", await response.content.readexactly(5))
        status = health_pb2.HealthCheckResponse.FromString(
            await response.content.readexactly(length)
        )
        assert status.status == health_pb2.HealthCheckResponse.NOT_SERVING


async def test_caller_metadata_reaches_the_service_and_metadata_comes_back(
    edge: str, upstream: tuple[str, object, Echo]
) -> None:
    echo = upstream[2]
    response = await call(
        edge,
        "/test.echo.v1.EchoService/Echo",
        b"hello",
        Authorization="Bearer token-123",
        **{"x-request-id": "req-1", "Cookie": "secret=1"},
    )
    messages, trailers = split_frames(await response.read())
    assert messages == [b"olleh"]
    assert echo.metadata["authorization"] == "Bearer token-123"
    assert echo.metadata["x-request-id"] == "req-1"
    assert "cookie" not in echo.metadata
    assert response.headers["x-served-by"] == "echo"
    assert base64.b64decode(trailers["x-details-bin"]) == b"\x00\x01binary"


async def test_browser_leaving_a_stream_cancels_the_upstream_call(
    edge: str, upstream: tuple[str, object, Echo]
) -> None:
    echo = upstream[2]
    async with aiohttp.ClientSession() as session:
        response = await session.post(
            edge + "/test.echo.v1.EchoService/Watch",
            data=frame(b""),
            headers={"Content-Type": BINARY},
        )
        await response.content.readexactly(5)
        response.close()
    await asyncio.wait_for(echo.stream_cancelled.wait(), timeout=10)


async def test_text_mode_is_base64_both_ways(edge: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            edge + "/test.echo.v1.EchoService/Echo",
            data=base64.b64encode(frame(b"abc")),
            headers={"Content-Type": "application/grpc-web-text"},
        ) as response,
    ):
        body = await response.read()
    assert response.headers["Content-Type"] == "application/grpc-web-text+proto"
    # Each frame is base64 on its own; decode them one padded chunk at a time.
    decoded = b"".join(base64.b64decode(chunk + b"=") for chunk in body.split(b"=") if chunk)
    messages, trailers = split_frames(decoded)
    assert messages == [b"cba"] and trailers["grpc-status"] == "0"


async def test_unknown_package_is_unimplemented_and_malformed_body_is_invalid(edge: str) -> None:
    _, trailers = split_frames(await (await call(edge, "/knowledge.nope.v1.Nope/Get", b"")).read())
    assert trailers["grpc-status"] == str(grpc.StatusCode.UNIMPLEMENTED.value[0])
    async with aiohttp.ClientSession() as session:
        broken = await session.post(
            edge + HEALTH_CHECK,
            data=struct.pack(">BI", 0, 100) + b"short",
            headers={"Content-Type": BINARY},
        )
        _, trailers = split_frames(await broken.read())
    assert trailers["grpc-status"] == str(grpc.StatusCode.INVALID_ARGUMENT.value[0])
    assert "announces 100 bytes" in trailers["grpc-message"].replace("%20", " ")
    # The edge is unharmed: the next call works.
    request = health_pb2.HealthCheckRequest(service="knowledge.test.v1.TestService")
    _, trailers = split_frames(
        await (await call(edge, HEALTH_CHECK, request.SerializeToString())).read()
    )
    assert trailers["grpc-status"] == "0"


async def test_cors_preflight_allows_the_configured_origin_only(edge: str) -> None:
    async with aiohttp.ClientSession() as session:
        allowed = await session.options(
            edge + HEALTH_CHECK,
            headers={
                "Origin": "http://app.localhost:3000",
                "Access-Control-Request-Method": "POST",
            },
        )
        refused = await session.options(
            edge + HEALTH_CHECK,
            headers={"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        )
    assert allowed.status == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == "http://app.localhost:3000"
    assert "grpc-status" in allowed.headers["Access-Control-Expose-Headers"]
    assert "x-grpc-web" in allowed.headers["Access-Control-Allow-Headers"]
    assert refused.status == 403
