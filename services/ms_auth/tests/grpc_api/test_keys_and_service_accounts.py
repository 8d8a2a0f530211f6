"""What other services rely on: the JWKS (gRPC and HTTP), key rotation, service account tokens."""

from __future__ import annotations

from collections.abc import AsyncIterator

import grpc
import httpx
import pytest
import pytest_asyncio
from knowledge.auth.v1 import auth_service_pb2, user_service_pb2
from knowledge_kit.auth import JwksKeySet, TokenVerifier

from ms_auth.service.service_accounts import ServiceAccountSpec

from .conftest import RunningAuth, bearer, refusal

CHAT = ServiceAccountSpec(
    name="serviceAccounts/ms_chat",
    secret="chat-secret-0123456789",
    scopes=("knowledge.documents.read", "vector.search"),
)


@pytest_asyncio.fixture
async def other_service(running: RunningAuth) -> AsyncIterator[TokenVerifier]:
    """The verifier any other service builds from the kit, pointed at ms_auth's JWKS URL."""
    keys = JwksKeySet(running.jwks_url, min_refresh_seconds=0)
    try:
        yield TokenVerifier(keys, issuer="knowledge-auth", audience="knowledge-platform")
    finally:
        await keys.close()


async def test_the_jwks_is_the_same_over_grpc_and_http(running: RunningAuth) -> None:
    await running.register("ada@example.com")
    over_grpc = await running.auth.GetJwks(auth_service_pb2.GetJwksRequest())
    async with httpx.AsyncClient() as http:
        over_http = (await http.get(running.jwks_url)).json()
    assert [key.kid for key in over_grpc.keys] == [key["kid"] for key in over_http["keys"]]
    assert [(k.kty, k.crv, k.alg, k.use) for k in over_grpc.keys] == [
        ("OKP", "Ed25519", "EdDSA", "sig")
    ]
    assert over_grpc.keys[0].x == over_http["keys"][0]["x"]


async def test_other_services_verify_access_tokens_through_the_kit(
    running: RunningAuth, other_service: TokenVerifier
) -> None:
    ada = await running.register("ada@example.com")
    principal = await other_service.verify(ada.tokens.access_token)
    assert principal.name == ada.user.name
    assert principal.roles == frozenset({"member"})
    assert principal.session_id == ada.session.name.rsplit("/", 1)[1]


async def test_after_rotation_old_and_new_tokens_both_verify(
    running: RunningAuth, other_service: TokenVerifier
) -> None:
    ada = await running.register("ada@example.com")
    assert (await other_service.verify(ada.tokens.access_token)).name == ada.user.name
    await running.use_cases.keys.rotate_signing_key(immediately=True)
    renewed = await running.auth.RefreshToken(
        auth_service_pb2.RefreshTokenRequest(refresh_token=ada.tokens.refresh_token)
    )
    assert (await other_service.verify(renewed.tokens.access_token)).name == ada.user.name
    jwks = await running.auth.GetJwks(auth_service_pb2.GetJwksRequest())
    assert len(jwks.keys) == 2
    other = TokenVerifier(
        JwksKeySet(running.jwks_url), issuer="knowledge-auth", audience="knowledge-platform"
    )
    assert (await other.verify(ada.tokens.access_token)).name == ada.user.name


async def test_service_accounts_get_tokens_other_services_accept(
    running: RunningAuth, other_service: TokenVerifier
) -> None:
    await running.use_cases.service_accounts.provision([CHAT])
    ada = await running.register("ada@example.com")
    issued = await running.auth.IssueServiceAccountToken(
        auth_service_pb2.IssueServiceAccountTokenRequest(
            name=CHAT.name, secret=CHAT.secret, scopes=["vector.search"], audience="ms_vector"
        )
    )
    assert issued.service_account.name == CHAT.name
    assert list(issued.service_account.scopes) == list(CHAT.scopes)
    principal = await other_service.verify(issued.access_token)
    assert principal.is_service_account
    read = await running.users.GetUser(
        user_service_pb2.GetUserRequest(name=ada.user.name), metadata=bearer(issued.access_token)
    )
    assert read.user.email == "ada@example.com"


@pytest.mark.parametrize(
    ("request_fields", "status"),
    [
        ({"name": CHAT.name, "secret": "guess"}, grpc.StatusCode.UNAUTHENTICATED),
        ({"name": "serviceAccounts/ms_nobody", "secret": "guess"}, grpc.StatusCode.UNAUTHENTICATED),
        (
            {"name": CHAT.name, "secret": CHAT.secret, "scopes": ["ml.models.write"]},
            grpc.StatusCode.PERMISSION_DENIED,
        ),
        ({"name": "ms_chat", "secret": CHAT.secret}, grpc.StatusCode.INVALID_ARGUMENT),
    ],
)
async def test_service_account_refusals(
    running: RunningAuth, request_fields: dict[str, object], status: grpc.StatusCode
) -> None:
    await running.use_cases.service_accounts.provision([CHAT])
    refused = await refusal(
        running.auth.IssueServiceAccountToken(
            auth_service_pb2.IssueServiceAccountTokenRequest(**request_fields)  # type: ignore[arg-type]
        )
    )
    assert refused.code() is status
