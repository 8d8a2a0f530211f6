"""gRPC in, gRPC out: the edge's public gRPC port, for server-side callers (the frontend's Server
Actions, scripts) that reach the platform through one address, as through Istio's ingress gateway.

Every call is relayed as a bidirectional stream of raw messages, which covers all four kinds of RPC
on the wire; the package of the called method picks the upstream, as for gRPC-web.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterable
from typing import cast

import grpc

from fleet.edge.grpc_proxy import GrpcUpstreams

# Metadata that belongs to the caller's HTTP/2 connection, not to the call.
CONNECTION_METADATA = frozenset({"user-agent", "grpc-accept-encoding", "grpc-encoding", "te"})

Relay = grpc.aio.StreamStreamMultiCallable[bytes, bytes]
Context = grpc.aio.ServicerContext[bytes, bytes]


class GrpcPassThrough(grpc.GenericRpcHandler):
    """Answers any method whose package has an upstream; others are UNIMPLEMENTED."""

    def __init__(self, upstreams: GrpcUpstreams) -> None:
        self._upstreams = upstreams

    def service(
        self, handler_call_details: grpc.HandlerCallDetails
    ) -> grpc.RpcMethodHandler[bytes, bytes] | None:
        method = handler_call_details.method
        channel = self._upstreams.channel_for(method)
        if channel is None:
            return None
        relay = cast(Relay, channel.stream_stream(method))

        async def forward(requests: AsyncIterator[bytes], context: Context) -> AsyncIterator[bytes]:
            call = relay(
                requests,
                metadata=_call_metadata(context.invocation_metadata()),
                timeout=context.time_remaining(),
            )
            try:
                initial_metadata = await call.initial_metadata()
                # A call that has already failed, with no reply, when its headers are read (an
                # instance that is stopping refuses with headers and status in one) fails the
                # same way, without headers: they would commit the caller's call to this attempt
                # and rule out its retry policy. (One that sent headers and failed at once may be
                # read so too, and its headers are left out: the status and trailers still come.)
                if not call.done() or await call.code() == grpc.StatusCode.OK:
                    await context.send_initial_metadata(initial_metadata or ())
                async for reply in call:  # a failed call raises its status here
                    yield reply
                context.set_trailing_metadata(tuple(await call.trailing_metadata() or ()))
            except grpc.aio.AioRpcError as error:
                context.set_trailing_metadata(tuple(error.trailing_metadata() or ()))
                await context.abort(error.code(), error.details() or "")
            finally:
                # The caller hung up (or the relay failed): do not leave the upstream call open.
                with contextlib.suppress(Exception):
                    call.cancel()

        return grpc.stream_stream_rpc_method_handler(forward)


def _call_metadata(metadata: Iterable[tuple[str, str | bytes]] | None) -> grpc.aio.Metadata:
    return grpc.aio.Metadata(
        *((key, value) for key, value in metadata or () if key not in CONNECTION_METADATA)
    )


@contextlib.asynccontextmanager
async def grpc_passthrough_server(
    upstreams: GrpcUpstreams, host: str, port: int
) -> AsyncIterator[int]:
    """Serve the pass-through on host:port while the block runs; yields the bound port."""
    server = grpc.aio.server()
    server.add_generic_rpc_handlers((GrpcPassThrough(upstreams),))
    bound = server.add_insecure_port(f"{host}:{port}")
    await server.start()
    try:
        yield bound
    finally:
        await server.stop(grace=1.0)
