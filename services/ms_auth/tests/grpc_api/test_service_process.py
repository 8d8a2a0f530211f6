"""The service as it runs in production: `python -m ms_auth` migrates its database, serves gRPC
and the JWKS over HTTP, relays its outbox to Kafka, then stops on SIGTERM."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import grpc
import httpx
from knowledge.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from knowledge.topics import AUTH_USERS_V1
from knowledge_kit.testing.service_process import ServiceProcess, free_port

from ms_auth.server.jwks_endpoint import JWKS_PATH

from ..conftest import PASSWORD
from ..kafka_records import envelopes_about


async def test_the_service_serves_signs_up_publishes_and_stops_on_sigterm(
    start_service_process: Callable[..., Awaitable[ServiceProcess]],
    sqlite_database_url: str,
    kafka_bootstrap: str,
) -> None:
    http_port = free_port()
    service = await start_service_process(
        "ms_auth",
        {
            "HTTP_HOST": "127.0.0.1",
            "HTTP_PORT": str(http_port),
            "DATABASE_URL": sqlite_database_url,
            "KAFKA_BOOTSTRAP": kafka_bootstrap,
            "PASSWORD_HASH_MEMORY_KIB": "8",
            "PASSWORD_HASH_TIME_COST": "1",
            "PASSWORD_HASH_PARALLELISM": "1",
        },
        trusting=None,  # the issuer itself: its AUTH_* settings stay its own
    )
    await service.serving()
    async with grpc.aio.insecure_channel(service.target) as channel:
        registered = await auth_service_pb2_grpc.AuthServiceStub(channel).Register(
            auth_service_pb2.RegisterRequest(email="ada@example.com", password=PASSWORD)
        )
    async with httpx.AsyncClient() as http:
        jwks = (await http.get(f"http://127.0.0.1:{http_port}{JWKS_PATH}")).json()
    assert [key["kid"] for key in jwks["keys"]]
    [(key, _)] = await envelopes_about(kafka_bootstrap, AUTH_USERS_V1.name, registered.user.name, 1)
    assert key == registered.user.name.encode()
    await service.stop_on_sigterm()
