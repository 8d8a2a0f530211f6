"""Exceptions leave the server as the status the kit's mapping chose, and nothing more."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.wrappers_pb2 import StringValue

from knowledge_kit.errors import FieldViolation, field_violations_of
from knowledge_kit.testing import JwksEndpoint
from knowledge_kit.testing.plugin import StartGrpcServer

from .echo_service import EchoServicer, add_EchoServicer_to_server, bearer, echo_stub


async def _fail(target: str, token: str, kind: str) -> grpc.aio.AioRpcError:
    async with grpc.aio.insecure_channel(target) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as failed:
            await echo_stub(channel, "Fail")(StringValue(value=kind), metadata=bearer(token))
    return failed.value


@pytest.mark.parametrize(
    ("kind", "code", "details"),
    [
        ("not_found", grpc.StatusCode.NOT_FOUND, "documents/7 was not found"),
        ("invalid", grpc.StatusCode.INVALID_ARGUMENT, "the document is invalid"),
        ("exists", grpc.StatusCode.ALREADY_EXISTS, "spaces/handbook already exists"),
        ("conflict", grpc.StatusCode.ABORTED, "the document changed since it was read"),
        ("denied", grpc.StatusCode.PERMISSION_DENIED, "users/bob may not edit spaces/handbook"),
        ("bug", grpc.StatusCode.INTERNAL, "internal error"),
    ],
)
async def test_each_kind_of_error_reaches_the_client_as_its_status(
    start_grpc_server: StartGrpcServer,
    jwks_endpoint: JwksEndpoint,
    kind: str,
    code: grpc.StatusCode,
    details: str,
) -> None:
    running = await start_grpc_server((add_EchoServicer_to_server, EchoServicer()))
    failure = await _fail(running.target, jwks_endpoint.mint(), kind)
    assert failure.code() is code
    assert failure.details() == details


async def test_validation_errors_name_each_bad_field(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    running = await start_grpc_server((add_EchoServicer_to_server, EchoServicer()))
    failure = await _fail(running.target, jwks_endpoint.mint(), "invalid")
    assert field_violations_of(failure) == [FieldViolation("document.title", "must not be empty")]


async def test_an_unexpected_exception_leaks_nothing_to_the_client(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    running = await start_grpc_server((add_EchoServicer_to_server, EchoServicer()))
    failure = await _fail(running.target, jwks_endpoint.mint(), "bug")
    everything_sent = (
        f"{failure.details()} {failure.debug_error_string()} {failure.trailing_metadata()}"
    )
    for secret in ("hunter2", "postgresql", "RuntimeError", "Traceback"):
        assert secret not in everything_sent
