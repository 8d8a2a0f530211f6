"""Tokens at the server's edge: refused with UNAUTHENTICATED unless valid; principal reaches handlers."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import grpc
import pytest
from google.protobuf.wrappers_pb2 import StringValue

from knowledge_kit.testing import JwksEndpoint
from knowledge_kit.testing.plugin import StartGrpcServer

from .echo_service import SERVICE, EchoServicer, add_EchoServicer_to_server, bearer, echo_stub


async def _echo(target: str, metadata: Any = ()) -> str:
    async with grpc.aio.insecure_channel(target) as channel:
        reply = await echo_stub(channel)(StringValue(value="hi"), metadata=metadata, timeout=10)
        return reply.value


async def _refusal(target: str, metadata: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await _echo(target, metadata)
    return refused.value


async def test_a_valid_token_reaches_the_handler_with_its_principal(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    running = await start_grpc_server((add_EchoServicer_to_server, EchoServicer()))
    token = jwks_endpoint.mint("users/alice", roles=["editor"])
    assert await _echo(running.target, bearer(token)) == "users/alice:hi"


async def test_an_rs256_token_of_a_service_account_is_accepted(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    jwks_endpoint.rotate("RS256")
    running = await start_grpc_server((add_EchoServicer_to_server, EchoServicer()))
    token = jwks_endpoint.mint("serviceAccounts/ms_chat", session_id=None)
    assert await _echo(running.target, bearer(token)) == "serviceAccounts/ms_chat:hi"


def _tampered(token: str) -> str:
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "users/mallory"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    return f"{header}.{forged}.{signature}"


def _unsigned(token: str) -> str:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT","kid":"x"}').rstrip(b"=")
    return f"{header.decode()}.{token.split('.')[1]}."


@pytest.mark.parametrize(
    ("case", "make_metadata", "message"),
    [
        ("missing", lambda endpoint: (), "missing bearer token"),
        ("not bearer", lambda endpoint: (("authorization", "Basic abc"),), "Bearer <token>"),
        ("expired", lambda endpoint: bearer(endpoint.mint(ttl_seconds=-120)), "token expired"),
        ("tampered", lambda endpoint: bearer(_tampered(endpoint.mint())), "token rejected"),
        (
            "wrong audience",
            lambda endpoint: bearer(endpoint.mint(audience="other")),
            "another audience",
        ),
        ("unsigned", lambda endpoint: bearer(_unsigned(endpoint.mint())), "algorithm not accepted"),
        ("garbage", lambda endpoint: bearer("not-a-jwt"), "malformed token"),
    ],
)
async def test_an_untrustworthy_token_is_refused_with_unauthenticated(
    start_grpc_server: StartGrpcServer,
    jwks_endpoint: JwksEndpoint,
    case: str,
    make_metadata: Callable[[JwksEndpoint], Any],
    message: str,
) -> None:
    running = await start_grpc_server((add_EchoServicer_to_server, EchoServicer()))
    refusal = await _refusal(running.target, make_metadata(jwks_endpoint))
    assert refusal.code() is grpc.StatusCode.UNAUTHENTICATED, case
    assert message in (refusal.details() or "")


async def test_a_token_signed_by_an_unpublished_key_is_refused(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    from knowledge_kit.auth import SigningKey

    running = await start_grpc_server((add_EchoServicer_to_server, EchoServicer()))
    stranger = SigningKey.generate(kid=jwks_endpoint.current_key.kid)
    refusal = await _refusal(running.target, bearer(jwks_endpoint.mint(key=stranger)))
    assert refusal.code() is grpc.StatusCode.UNAUTHENTICATED


async def test_a_rotated_signing_key_is_picked_up_without_a_restart(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    running = await start_grpc_server((add_EchoServicer_to_server, EchoServicer()))
    assert (
        await _echo(running.target, bearer(jwks_endpoint.mint("users/alice"))) == "users/alice:hi"
    )
    jwks_endpoint.rotate()
    assert await _echo(running.target, bearer(jwks_endpoint.mint("users/bob"))) == "users/bob:hi"
    assert jwks_endpoint.fetches == 2


async def test_public_methods_run_without_a_token_as_anonymous(
    start_grpc_server: StartGrpcServer, service_settings: Any
) -> None:
    settings = service_settings.model_copy(
        update={"public_methods": frozenset({f"/{SERVICE}/Echo"})}
    )
    running = await start_grpc_server(
        (add_EchoServicer_to_server, EchoServicer()), settings=settings
    )
    assert await _echo(running.target) == "anonymous:hi"


class _Context:
    """What `RpcCall` reads of a server context: the client's metadata."""

    def __init__(self, metadata: tuple[tuple[str, str], ...]) -> None:
        self._metadata = metadata

    def invocation_metadata(self) -> tuple[tuple[str, str], ...]:
        return self._metadata


async def test_refused_authorization_values_are_not_kept_in_memory(
    jwks_endpoint: JwksEndpoint,
) -> None:
    import tracemalloc

    from knowledge_kit.auth import JwksKeySet, TokenVerifier
    from knowledge_kit.errors import UnauthenticatedError
    from knowledge_kit.rpc.call import RpcCall
    from knowledge_kit.rpc.steps.authentication import Authenticate

    keys = JwksKeySet(jwks_endpoint.url)
    verifier = TokenVerifier(keys, issuer=jwks_endpoint.issuer, audience=jwks_endpoint.audience)
    step = Authenticate(verifier)

    async def reached(call: RpcCall) -> str:
        return "reached"

    def call_with(authorization: str) -> RpcCall:
        context: Any = _Context((("authorization", authorization),))
        return RpcCall(f"/{SERVICE}/Echo", None, context)

    # A caller without a valid token sends a different 4 KiB value on each call.
    values = [f"Bearer {index:08d}{'x' * 4096}" for index in range(500)]
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for value in values:
        call = call_with(value)
        with pytest.raises(UnauthenticatedError, match="malformed token"):
            await step(call, reached)
    kept = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert kept < 200_000, f"{kept} bytes kept after 500 refused calls of 4 KiB"
    # A valid token is still accepted, and again from what was kept.
    token = jwks_endpoint.mint("users/alice")
    for _ in range(2):
        call = call_with(f"Bearer {token}")
        assert await step(call, reached) == "reached"
        assert call.principal is not None and call.principal.name == "users/alice"
    await keys.close()
