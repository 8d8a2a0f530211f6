"""However long the value a caller sent, the status quotes only its start: the error still
reaches the caller as itself, not as a metadata limit being exceeded."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from google.protobuf.wrappers_pb2 import StringValue

from knowledge_kit.errors import FieldViolation, ValidationError, field_violations_of
from knowledge_kit.testing import JwksEndpoint
from knowledge_kit.testing.plugin import StartGrpcServer

from .echo_service import EchoServicer, add_EchoServicer_to_server, bearer, echo_stub


class NameCheckingServicer(EchoServicer):
    """Fail refuses the name it was sent, quoting it in the message and in each violation."""

    async def Fail(
        self, request: StringValue, context: grpc.aio.ServicerContext[Any, Any]
    ) -> StringValue:
        raise ValidationError(
            f"name {request.value!r} is not a space name",
            [
                FieldViolation("name", f"{request.value!r} must be spaces/{{space}}"),
                FieldViolation("parent", f"{request.value} is not a parent either"),
            ],
        )


@pytest.mark.parametrize("length", [5_000, 1_000_000])
async def test_a_huge_value_is_quoted_by_its_start_only(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint, length: int
) -> None:
    running = await start_grpc_server((add_EchoServicer_to_server, NameCheckingServicer()))
    huge = "é" * length
    async with grpc.aio.insecure_channel(running.target) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await echo_stub(channel, "Fail")(
                StringValue(value=huge), metadata=bearer(jwks_endpoint.mint())
            )
    assert refused.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert refused.value.details() == f"name '{'é' * 64}…' is not a space name"
    name, parent = field_violations_of(refused.value)
    assert name == FieldViolation("name", f"'{'é' * 64}…' must be spaces/{{space}}")
    assert parent.field == "parent"
    assert parent.description.startswith("éééé")
    assert parent.description.endswith("…")
    assert len(parent.description.encode()) <= 256


async def test_a_short_value_is_quoted_whole(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    running = await start_grpc_server((add_EchoServicer_to_server, NameCheckingServicer()))
    async with grpc.aio.insecure_channel(running.target) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await echo_stub(channel, "Fail")(
                StringValue(value="handbook"), metadata=bearer(jwks_endpoint.mint())
            )
    assert refused.value.details() == "name 'handbook' is not a space name"
    assert field_violations_of(refused.value)[1] == FieldViolation(
        "parent", "handbook is not a parent either"
    )
