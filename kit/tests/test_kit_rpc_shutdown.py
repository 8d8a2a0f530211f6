"""SIGTERM lets in-flight RPCs finish within the grace period and refuses new ones."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.wrappers_pb2 import StringValue
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from knowledge_kit.testing import JwksEndpoint

from .echo_service import SERVICE, bearer, echo_stub

KIT_ROOT = Path(__file__).resolve().parent.parent
_REFUSED = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.CANCELLED)


async def _start_process(endpoint: JwksEndpoint) -> tuple[asyncio.subprocess.Process, int]:
    environment = {
        **os.environ,
        "ECHO_SERVICE_NAME": "ms_echo",
        "ECHO_GRPC_HOST": "127.0.0.1",
        "ECHO_GRPC_PORT": "0",
        "ECHO_AUTH_JWKS_URL": endpoint.url,
        "ECHO_AUTH_ISSUER": endpoint.issuer,
        "ECHO_AUTH_AUDIENCE": endpoint.audience,
        "ECHO_SHUTDOWN_GRACE_SECONDS": "30",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.echo_server_process",
        cwd=KIT_ROOT,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
    )
    started = await _next_event(process, "grpc_server_started")
    return process, int(started["port"])


async def _next_event(process: asyncio.subprocess.Process, event: str) -> dict[str, Any]:
    assert process.stdout is not None
    async with asyncio.timeout(30):
        while line := await process.stdout.readline():
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:
                continue
            if entry.get("event") == event:
                return dict(entry)
    raise AssertionError(f"the server process ended without logging {event}")


async def test_sigterm_lets_the_slow_rpc_finish_and_refuses_new_ones(
    jwks_endpoint: JwksEndpoint,
) -> None:
    process, port = await _start_process(jwks_endpoint)
    token = jwks_endpoint.mint()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            health_stub: Any = health_pb2_grpc.HealthStub(channel)
            health = await health_stub.Check(health_pb2.HealthCheckRequest(service=SERVICE))
            assert health.status == health_pb2.HealthCheckResponse.SERVING
            slow = asyncio.ensure_future(
                echo_stub(channel, "Slow")(StringValue(value="1.5"), metadata=bearer(token))
            )
            await _next_event(process, "slow_rpc_started")
            process.send_signal(signal.SIGTERM)
            await _next_event(process, "grpc_server_draining")
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as fresh:
                try:
                    await echo_stub(fresh)(StringValue(value="late"), metadata=bearer(token))
                    raise AssertionError("a new RPC was accepted after SIGTERM")
                except grpc.aio.AioRpcError as refused:
                    # Depending on whether the call reached the server before its GOAWAY,
                    # gRPC reports the refusal as UNAVAILABLE or CANCELLED.
                    assert refused.code() in _REFUSED
            assert (await slow).value == "finished"
        assert process.stdout is not None
        rest = (await asyncio.wait_for(process.stdout.read(), 30)).decode()
        assert await asyncio.wait_for(process.wait(), 30) == 0
        assert f"/{SERVICE}/Echo" not in rest  # the late RPC never reached a handler
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def test_reflection_lists_the_registered_services(
    start_grpc_server: Any,
) -> None:
    from .echo_service import EchoServicer, add_EchoServicer_to_server

    running = await start_grpc_server((add_EchoServicer_to_server, EchoServicer()))
    async with grpc.aio.insecure_channel(running.target) as channel:
        stub = reflection_pb2_grpc.ServerReflectionStub(channel)
        responses = stub.ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")])
        )
        async for response in responses:
            names = {s.name for s in response.list_services_response.service}
            break
    assert {SERVICE, "grpc.health.v1.Health"} <= names
