"""One log line, one metric sample and one span per RPC, tied together by request and trace id."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import grpc
import pytest
from google.protobuf.wrappers_pb2 import StringValue
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import REGISTRY

from knowledge_kit.observability import configure_logging
from knowledge_kit.rpc.client import ServiceChannels
from knowledge_kit.testing import JwksEndpoint
from knowledge_kit.testing.plugin import StartGrpcServer

from .echo_service import SERVICE, EchoServicer, add_EchoServicer_to_server, bearer, echo_stub

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    configure_logging("ms_test", stream=stream)
    yield stream
    configure_logging("ms_test")


async def test_each_rpc_logs_one_json_line_without_the_token(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint, log_lines: io.StringIO
) -> None:
    running = await start_grpc_server((add_EchoServicer_to_server, EchoServicer()))
    token = jwks_endpoint.mint("users/alice")
    async with grpc.aio.insecure_channel(running.target) as channel:
        await echo_stub(channel)(
            StringValue(value="hi"), metadata=(*bearer(token), ("x-request-id", "req-42"))
        )
    lines = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    rpc_lines = [line for line in lines if line["event"] == "rpc"]
    assert len(rpc_lines) == 1
    assert rpc_lines[0]["method"] == f"/{SERVICE}/Echo"
    assert rpc_lines[0]["status"] == "OK"
    assert rpc_lines[0]["request_id"] == "req-42"
    assert rpc_lines[0]["principal"] == "users/alice"
    assert rpc_lines[0]["service"] == "ms_test"
    assert rpc_lines[0]["duration_ms"] >= 0
    assert token not in log_lines.getvalue()


async def test_each_rpc_is_counted_by_method_and_status(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    labels = {"grpc_method": f"/{SERVICE}/Fail", "grpc_code": "NOT_FOUND"}
    before = REGISTRY.get_sample_value("grpc_server_handled_total", labels) or 0.0
    running = await start_grpc_server((add_EchoServicer_to_server, EchoServicer()))
    async with grpc.aio.insecure_channel(running.target) as channel:
        for _ in range(3):
            with pytest.raises(grpc.aio.AioRpcError):
                await echo_stub(channel, "Fail")(
                    StringValue(value="not_found"), metadata=bearer(jwks_endpoint.mint())
                )
    assert REGISTRY.get_sample_value("grpc_server_handled_total", labels) == before + 3


async def test_the_callers_trace_continues_through_the_server_into_outgoing_calls(
    start_grpc_server: StartGrpcServer,
    jwks_endpoint: JwksEndpoint,
    finished_spans: InMemorySpanExporter,
) -> None:
    downstream = EchoServicer()
    down = await start_grpc_server((add_EchoServicer_to_server, downstream))
    channels = ServiceChannels()
    up = await start_grpc_server(
        (add_EchoServicer_to_server, EchoServicer(channels.channel(down.target)))
    )
    traceparent = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
    async with grpc.aio.insecure_channel(up.target) as channel:
        await echo_stub(channel, "Relay")(
            StringValue(value="hi"),
            metadata=(*bearer(jwks_endpoint.mint()), ("traceparent", traceparent)),
        )
    await channels.close()
    spans = {
        span.name: span
        for span in finished_spans.get_finished_spans()
        if format(span.context.trace_id, "032x") == TRACE_ID
    }
    relay, echo = spans[f"/{SERVICE}/Relay"], spans[f"/{SERVICE}/Echo"]
    assert relay.parent is not None and relay.parent.span_id == 0x00F067AA0BA902B7
    assert echo.parent is not None and echo.parent.span_id == relay.context.span_id
    assert downstream.seen_metadata[0]["traceparent"].split("-")[1] == TRACE_ID
