"""The whole service on loopback: the gRPC server with the kit's pipeline and the JWKS endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import grpc
import pytest
import pytest_asyncio
from knowledge.auth.v1 import auth_service_pb2, auth_service_pb2_grpc, user_service_pb2_grpc

from ms_auth.config import Settings
from ms_auth.main import AuthUseCases, build_server
from ms_auth.server.jwks_endpoint import JWKS_PATH, JwksEndpoint

from ..conftest import PASSWORD

if TYPE_CHECKING:
    from knowledge.auth.v1.auth_service_pb2_grpc import AuthServiceAsyncStub
    from knowledge.auth.v1.user_service_pb2_grpc import UserServiceAsyncStub


@dataclass
class RunningAuth:
    """Stubs on a running ms_auth, its JWKS URL and its use cases (for what no RPC offers)."""

    channel: grpc.aio.Channel
    auth: AuthServiceAsyncStub
    users: UserServiceAsyncStub
    jwks_url: str
    use_cases: AuthUseCases

    async def register(
        self, email: str, password: str = PASSWORD
    ) -> auth_service_pb2.RegisterResponse:
        return await self.auth.Register(
            auth_service_pb2.RegisterRequest(email=email, password=password, user_agent="pytest")
        )


async def refusal(call: Awaitable[object]) -> grpc.aio.AioRpcError:
    """The error of a call that must fail (the test fails if it succeeds)."""
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call
    return raised.value


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    """Call metadata carrying `token`."""
    return (("authorization", f"Bearer {token}"),)


@pytest_asyncio.fixture
async def running(settings: Settings, use_cases: AuthUseCases) -> AsyncIterator[RunningAuth]:
    """ms_auth serving gRPC and its JWKS over HTTP, stopped after the test."""
    server = build_server(settings, use_cases)
    port = await server.start()
    jwks = JwksEndpoint(use_cases.keys, "127.0.0.1", 0)
    jwks_port = await jwks.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield RunningAuth(
                channel=channel,
                auth=auth_service_pb2_grpc.AuthServiceStub(channel),
                users=user_service_pb2_grpc.UserServiceStub(channel),
                jwks_url=f"http://127.0.0.1:{jwks_port}{JWKS_PATH}",
                use_cases=use_cases,
            )
    finally:
        await jwks.stop()
        await server.stop(0)
