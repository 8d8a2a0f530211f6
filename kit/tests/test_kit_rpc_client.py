"""Outgoing calls carry the caller's identity and deadline; only idempotent calls are retried."""

from __future__ import annotations

import grpc
import pytest
from google.protobuf.wrappers_pb2 import StringValue

from knowledge_kit.errors import DependencyUnavailableError
from knowledge_kit.rpc.client import ServiceChannels
from knowledge_kit.testing import JwksEndpoint
from knowledge_kit.testing.plugin import StartGrpcServer

from .echo_service import SERVICE, EchoServicer, add_EchoServicer_to_server, bearer, echo_stub


async def test_a_downstream_call_carries_the_callers_token_deadline_and_request_id(
    start_grpc_server: StartGrpcServer, jwks_endpoint: JwksEndpoint
) -> None:
    downstream = EchoServicer()
    down = await start_grpc_server((add_EchoServicer_to_server, downstream))
    channels = ServiceChannels(default_timeout_seconds=30)
    up = await start_grpc_server(
        (add_EchoServicer_to_server, EchoServicer(channels.channel(down.target)))
    )
    async with grpc.aio.insecure_channel(up.target) as channel:
        reply = await echo_stub(channel, "Relay")(
            StringValue(value="hi"),
            metadata=(*bearer(jwks_endpoint.mint("users/alice")), ("x-request-id", "req-7")),
            timeout=4,
        )
    await channels.close()
    assert reply.value == "users/alice:hi"
    assert downstream.seen_metadata[0]["x-request-id"] == "req-7"
    remaining = downstream.seen_deadlines[0]
    # The caller's 4 s, not the channel's 30 s default (gRPC rounds the deadline it carries
    # on, so the downstream may see a few milliseconds more).
    assert remaining is not None and 0 < remaining <= 4.1


async def test_the_same_target_shares_one_channel() -> None:
    channels = ServiceChannels()
    assert channels.channel("127.0.0.1:1") is channels.channel("127.0.0.1:1")
    assert channels.channel("127.0.0.1:1") is not channels.channel("127.0.0.1:2")
    await channels.close()


@pytest.mark.parametrize(("idempotent", "succeeds"), [(True, True), (False, False)])
async def test_only_calls_named_idempotent_are_retried(
    start_grpc_server: StartGrpcServer,
    jwks_endpoint: JwksEndpoint,
    idempotent: bool,
    succeeds: bool,
) -> None:
    server = await start_grpc_server((add_EchoServicer_to_server, EchoServicer()))
    channels = ServiceChannels()
    channel = channels.channel(
        server.target, idempotent_methods=[f"{SERVICE}/Flaky"] if idempotent else []
    )
    call = echo_stub(channel, "Flaky")(
        StringValue(value="x"), metadata=bearer(jwks_endpoint.mint())
    )
    try:
        if succeeds:
            assert (await call).value == "ready"
        else:
            with pytest.raises(DependencyUnavailableError):
                await call
    finally:
        await channels.close()


def test_a_malformed_idempotent_method_name_is_refused() -> None:
    with pytest.raises(ValueError, match=r"must be 'pkg\.Service/Method'"):
        ServiceChannels().channel("127.0.0.1:1", idempotent_methods=["Flaky"])
