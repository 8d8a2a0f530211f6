"""The service as it runs in production: `python -m ms_chat` serves gRPC and its WebSocket,
then stops on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
from grpc_health.v1 import health_pb2
from knowledge_kit.websocket import SUBPROTOCOL
from websockets.asyncio.client import connect
from websockets.typing import Subprotocol

HEALTH_CHECK = "/grpc.health.v1.Health/Check"
STARTUP_LIMIT_SECONDS = 60
SHUTDOWN_LIMIT_SECONDS = 30


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_the_service_starts_answers_health_checks_and_stops_on_sigterm(
    tmp_path: Path, service_settings: Any, kafka_bootstrap: str, mint_token: Callable[..., str]
) -> None:
    port, socket_port = free_port(), free_port()
    prefix = "MS_CHAT_"
    settings = {
        "GRPC_HOST": "127.0.0.1",
        "GRPC_PORT": str(port),
        "AUTH_JWKS_URL": service_settings.auth_jwks_url,
        "AUTH_ISSUER": service_settings.auth_issuer,
        "AUTH_AUDIENCE": service_settings.auth_audience,
        "LOG_JSON": "false",
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'service.db'}",
        "KAFKA_BOOTSTRAP": kafka_bootstrap,
        "WEBSOCKET_HOST": "127.0.0.1",
        "WEBSOCKET_PORT": str(socket_port),
        # Nothing listens there: the service starts without ms_vector and says so per answer.
        "VECTOR_TARGET": f"127.0.0.1:{free_port()}",
        # Reranking wired, its ms_ml absent too: answers would come unreranked.
        "ML_TARGET": f"127.0.0.1:{free_port()}",
        "RERANKER_DEPLOYMENT": "models/reranker/deployments/chat",
    }
    environment = {**os.environ, **{prefix + key: value for key, value in settings.items()}}
    service = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "ms_chat",
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            check_health = channel.unary_unary(
                HEALTH_CHECK,
                request_serializer=health_pb2.HealthCheckRequest.SerializeToString,
                response_deserializer=health_pb2.HealthCheckResponse.FromString,
            )
            answer = await check_health(
                health_pb2.HealthCheckRequest(),
                timeout=STARTUP_LIMIT_SECONDS,
                wait_for_ready=True,
            )
        assert answer.status == health_pb2.HealthCheckResponse.SERVING
        offered = [SUBPROTOCOL, Subprotocol(f"bearer.{mint_token('users/ada')}")]
        async with connect(f"ws://127.0.0.1:{socket_port}", subprotocols=offered) as socket:
            await socket.send("hello")
            assert json.loads(await socket.recv())["error"]["code"] == "invalid_argument"
        service.send_signal(signal.SIGTERM)
        output, _ = await asyncio.wait_for(service.communicate(), SHUTDOWN_LIMIT_SECONDS)
        assert service.returncode == 0, output.decode()
    finally:
        if service.returncode is None:
            service.kill()
            await service.communicate()
