"""ms_vector reads ms_ml as its service account: signed in at ms_auth with client credentials
(ms_auth, ms_ml and the token's check all real, in this process), the token reused while it is
valid and asked for again a minute before it runs out."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import grpc
import pytest_asyncio
from knowledge_kit.database.engine import create_database_engine, session_factory
from knowledge_kit.database.migrations import upgrade_database
from knowledge_kit.rpc import token_verifier
from ms_auth.config import Settings as AuthSettings
from ms_auth.main import MIGRATIONS as AUTH_MIGRATIONS
from ms_auth.main import auth_use_cases
from ms_auth.main import build_server as build_auth_server
from ms_auth.server.jwks_endpoint import JWKS_PATH, JwksEndpoint
from ms_auth.service.service_accounts import ServiceAccountSpec
from ms_ml.config import Settings as MlSettings
from ms_ml.main import MlParts
from ms_ml.main import build_server as build_ml_server

from ms_vector.adapters.ml_models import MlEmbedders
from ms_vector.adapters.service_tokens import ServiceAccountTokens

ACCOUNT = ServiceAccountSpec(name="serviceAccounts/ms-vector", secret="a long provisioned secret")


@pytest_asyncio.fixture
async def auth(tmp_path: Path) -> AsyncIterator[tuple[grpc.aio.Channel, str]]:
    """ms_auth serving gRPC and its JWKS, the account provisioned: (channel, JWKS URL)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'auth.db'}"
    await upgrade_database(url, AUTH_MIGRATIONS)
    settings = AuthSettings(
        database_url=url,
        grpc_host="127.0.0.1",
        grpc_port=0,
        http_host="127.0.0.1",
        http_port=0,
        password_hash_time_cost=1,
        password_hash_memory_kib=8,
        password_hash_parallelism=1,
        service_account_token_ttl_seconds=300,
        shutdown_grace_seconds=0,
    )
    engine = create_database_engine(url, traced=False)
    use_cases = auth_use_cases(settings, session_factory(engine))
    await use_cases.service_accounts.provision([ACCOUNT])
    await use_cases.keys.rotate_signing_key_if_due()
    server = build_auth_server(settings, use_cases)
    port = await server.start()
    jwks = JwksEndpoint(use_cases.keys, "127.0.0.1", 0)
    jwks_port = await jwks.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield channel, f"http://127.0.0.1:{jwks_port}{JWKS_PATH}"
    finally:
        await jwks.stop()
        await server.stop(0)
        await engine.dispose()


async def test_ms_ml_is_read_with_the_service_accounts_token_renewed_before_it_runs_out(
    auth: tuple[grpc.aio.Channel, str], ml: MlParts, ml_settings: MlSettings, tmp_path: Path
) -> None:
    auth_channel, jwks_url = auth
    trusting = ml_settings.model_copy(
        update={
            "auth_jwks_url": jwks_url,
            "auth_issuer": "knowledge-auth",
            "auth_audience": "knowledge-platform",
        }
    )
    server = build_ml_server(trusting, ml, token_verifier(trusting))
    port = await server.start()
    now = [datetime.now().astimezone()]
    tokens = ServiceAccountTokens(
        auth_channel,
        name=ACCOUNT.name,
        secret=ACCOUNT.secret,
        audience="ms_ml",
        clock=lambda: now[0],
    )
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            embedders = MlEmbedders(
                channel,
                model="models/embedder",
                alias="production",
                tokens=tokens,
                cache=tmp_path / "models",
            )
            assert await embedders.holder() == "models/embedder/versions/1"
            first = await tokens.token()
            now[0] += timedelta(seconds=200)  # still more than a minute left: reused
            assert await tokens.token() == first
            await asyncio.sleep(1.1)  # ms_auth's tokens name their second: the next one differs
            now[0] += timedelta(seconds=50)  # under a minute left: asked for again
            assert await tokens.token() != first
            assert await embedders.holder() == "models/embedder/versions/1"
    finally:
        await server.stop(0)
