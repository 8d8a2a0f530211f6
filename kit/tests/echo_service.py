"""A small gRPC service for the kit's tests, registered the way generated code registers one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import grpc
import structlog
from google.protobuf.wrappers_pb2 import StringValue

from knowledge_kit.auth import current_principal
from knowledge_kit.errors import (
    AlreadyExistsError,
    ConflictError,
    FieldViolation,
    NotFoundError,
    PermissionDeniedError,
    ValidationError,
)
from knowledge_kit.rpc import current_call

SERVICE = "kit.test.Echo"

FAILURES: dict[str, Exception] = {
    "not_found": NotFoundError("documents/7 was not found"),
    "invalid": ValidationError(
        "the document is invalid", [FieldViolation("document.title", "must not be empty")]
    ),
    "exists": AlreadyExistsError("spaces/handbook already exists"),
    "conflict": ConflictError("the document changed since it was read"),
    "denied": PermissionDeniedError("users/bob may not edit spaces/handbook"),
    "bug": RuntimeError("connection to postgresql://admin:hunter2@db failed"),
}


class EchoServicer:
    """Echo answers with the caller's principal; Fail raises; Slow sleeps; Count streams;
    Join joins a stream of values."""

    def __init__(self, downstream: grpc.aio.Channel | None = None) -> None:
        self.downstream = downstream
        self.seen_metadata: list[dict[str, str]] = []
        self.seen_deadlines: list[float | None] = []
        self.flaky_failures_left = 2

    async def Echo(
        self, request: StringValue, context: grpc.aio.ServicerContext[Any, Any]
    ) -> StringValue:
        principal = current_principal()
        call = current_call()
        self.seen_metadata.append(dict(call.metadata) if call else {})
        self.seen_deadlines.append(context.time_remaining())
        who = principal.name if principal else "anonymous"
        return StringValue(value=f"{who}:{request.value}")

    async def Fail(
        self, request: StringValue, context: grpc.aio.ServicerContext[Any, Any]
    ) -> StringValue:
        raise FAILURES[request.value]

    async def Slow(
        self, request: StringValue, context: grpc.aio.ServicerContext[Any, Any]
    ) -> StringValue:
        structlog.get_logger("echo").info("slow_rpc_started")
        await asyncio.sleep(float(request.value))
        return StringValue(value="finished")

    async def Relay(
        self, request: StringValue, context: grpc.aio.ServicerContext[Any, Any]
    ) -> StringValue:
        assert self.downstream is not None
        return await echo_stub(self.downstream)(request)

    async def Flaky(
        self, request: StringValue, context: grpc.aio.ServicerContext[Any, Any]
    ) -> StringValue:
        if self.flaky_failures_left > 0:
            self.flaky_failures_left -= 1
            await context.abort(grpc.StatusCode.UNAVAILABLE, "warming up")
        return StringValue(value="ready")

    async def Join(
        self, requests: AsyncIterator[StringValue], context: grpc.aio.ServicerContext[Any, Any]
    ) -> StringValue:
        return StringValue(value=",".join([request.value async for request in requests]))

    async def Count(
        self, request: StringValue, context: grpc.aio.ServicerContext[Any, Any]
    ) -> AsyncIterator[StringValue]:
        for index in range(int(request.value)):
            yield StringValue(value=str(index))


def add_EchoServicer_to_server(servicer: EchoServicer, server: Any) -> None:
    unary = {
        name: grpc.unary_unary_rpc_method_handler(
            getattr(servicer, name),
            request_deserializer=StringValue.FromString,
            response_serializer=StringValue.SerializeToString,
        )
        for name in ("Echo", "Fail", "Slow", "Relay", "Flaky")
    }
    handlers = {
        **unary,
        "Count": grpc.unary_stream_rpc_method_handler(
            servicer.Count,
            request_deserializer=StringValue.FromString,
            response_serializer=StringValue.SerializeToString,
        ),
        "Join": grpc.stream_unary_rpc_method_handler(
            servicer.Join,
            request_deserializer=StringValue.FromString,
            response_serializer=StringValue.SerializeToString,
        ),
    }
    server.add_generic_rpc_handlers((grpc.method_handlers_generic_handler(SERVICE, handlers),))
    server.add_registered_method_handlers(SERVICE, handlers)


def echo_stub(
    channel: grpc.aio.Channel, method: str = "Echo"
) -> grpc.aio.UnaryUnaryMultiCallable[StringValue, StringValue]:
    return channel.unary_unary(
        f"/{SERVICE}/{method}",
        request_serializer=StringValue.SerializeToString,
        response_deserializer=StringValue.FromString,
    )


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)
