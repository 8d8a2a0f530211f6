"""A channel to the service's gRPC server, and the metadata of its callers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import grpc
import pytest_asyncio
from knowledge_kit.api import PageTokens
from knowledge_kit.events import Outbox
from knowledge_kit.rpc import token_verifier
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ms_ml.config import Settings
from ms_ml.main import MlParts, build_server
from ms_ml.training.parts import training_config, training_parts

Metadata = tuple[tuple[str, str], ...]


@pytest_asyncio.fixture
async def channel(
    service_settings: Any,
    ml: MlParts,
    settings: Settings,
    sessions: async_sessionmaker[AsyncSession],
) -> AsyncIterator[grpc.aio.Channel]:
    """A channel to the server the composition root builds (training jobs queued, not run), on
    an ephemeral loopback port."""
    served = Settings(**service_settings.model_dump(exclude={"service_name"}))
    training = training_parts(
        training_config(settings), sessions, Outbox("ms_ml"), ml.registration, PageTokens(b"tests")
    )
    server = build_server(served, ml, token_verifier(served), (training.registration,))
    port = await server.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as connection:
            yield connection
    finally:
        await server.stop(0)


def bearer(token: str) -> Metadata:
    return (("authorization", f"Bearer {token}"),)


def admin(mint_token: Callable[..., str]) -> Metadata:
    return bearer(mint_token("users/ada", roles=["admin"]))


def member(mint_token: Callable[..., str]) -> Metadata:
    return bearer(mint_token("users/bob", roles=["member"]))
