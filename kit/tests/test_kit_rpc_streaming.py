"""Server-streaming RPCs run through the same pipeline as unary ones."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.wrappers_pb2 import StringValue

from knowledge_kit.testing import JwksEndpoint
from knowledge_kit.testing.plugin import StartGrpcServer

from .echo_service import SERVICE, EchoServicer, add_EchoServicer_to_server, bearer


def _count(
    channel: grpc.aio.Channel,
) -> grpc.aio.UnaryStreamMultiCallable[StringValue, StringValue]:
    return channel.unary_stream(
        f"/{SERVICE}/Count",
        request_serializer=StringValue.SerializeToString,
        response_deserializer=StringValue.FromString,
    )


async def test_a_stream_delivers_every_message_to_an_authenticated_caller(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    running = await start_grpc_server((add_EchoServicer_to_server, EchoServicer()))
    async with grpc.aio.insecure_channel(running.target) as channel:
        call = _count(channel)(StringValue(value="3"), metadata=bearer(jwks_endpoint.mint()))
        assert [message.value async for message in call] == ["0", "1", "2"]


async def test_a_stream_without_a_token_is_refused(start_grpc_server: StartGrpcServer) -> None:
    running = await start_grpc_server((add_EchoServicer_to_server, EchoServicer()))
    async with grpc.aio.insecure_channel(running.target) as channel:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            async for _ in _count(channel)(StringValue(value="3")):
                pass
    assert refused.value.code() is grpc.StatusCode.UNAUTHENTICATED
