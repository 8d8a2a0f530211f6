"""The service as it runs in production: `python -m ms_auth` migrates its database, serves gRPC
and the JWKS over HTTP, relays its outbox to Kafka, then stops on SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc
from knowledge.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from knowledge.topics import AUTH_USERS_V1

from ms_auth.server.jwks_endpoint import JWKS_PATH

from ..conftest import PASSWORD
from ..kafka_records import envelopes_about

STARTUP_LIMIT_SECONDS = 60
SHUTDOWN_LIMIT_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_service_serves_signs_up_publishes_and_stops_on_sigterm(
    tmp_path: Path, kafka_bootstrap: str
) -> None:
    port, http_port = free_port(), free_port()
    settings = {
        "GRPC_HOST": "127.0.0.1",
        "GRPC_PORT": str(port),
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": str(http_port),
        "LOG_JSON": "false",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'service.db'}",
        "KAFKA_BOOTSTRAP": kafka_bootstrap,
        "PASSWORD_HASH_MEMORY_KIB": "8",
        "PASSWORD_HASH_TIME_COST": "1",
        "PASSWORD_HASH_PARALLELISM": "1",
    }
    environment = {**os.environ, **{f"MS_AUTH_{key}": value for key, value in settings.items()}}
    service = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ms_auth",
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            # Typed as Any: the grpc_health stubs (when installed) declare no methods on HealthStub.
            health: Any = health_pb2_grpc.HealthStub(channel)
            answer = await health.Check(
                health_pb2.HealthCheckRequest(),
                timeout=STARTUP_LIMIT_SECONDS,
                wait_for_ready=True,
            )
            assert answer.status == health_pb2.HealthCheckResponse.SERVING
            registered = await auth_service_pb2_grpc.AuthServiceStub(channel).Register(
                auth_service_pb2.RegisterRequest(email="ada@example.com", password=PASSWORD)
            )
        async with httpx.AsyncClient() as http:
            jwks = (await http.get(f"http://127.0.0.1:{http_port}{JWKS_PATH}")).json()
        assert [key["kid"] for key in jwks["keys"]]
        [(key, _)] = await envelopes_about(
            kafka_bootstrap, AUTH_USERS_V1.name, registered.user.name, 1
        )
        assert key == registered.user.name.encode()
        service.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(service.communicate(), SHUTDOWN_LIMIT_SECONDS)
        assert service.returncode == 0, output.decode()
    finally:
        if service.returncode is None:
            service.kill()
            await service.communicate()
