"""What a running server serves, asked through its reflection service, and calls to any of its
unary methods by descriptor alone (no generated stubs needed)."""

from __future__ import annotations

from collections.abc import Awaitable

import grpc
from google.protobuf import descriptor_pool, message_factory
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from knowledge_kit.errors import field_violations_of

Metadata = tuple[tuple[str, str], ...]

_PLATFORM_SERVICES = ("grpc.",)


async def served_services(channel: grpc.aio.Channel) -> list[ServiceDescriptor]:
    """The services the server behind `channel` serves (health and reflection left out), by
    name; their descriptors must be loaded, i.e. the generated modules imported."""
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    asked = reflection_pb2.ServerReflectionRequest(list_services="")
    names: list[str] = []
    async for answer in stub.ServerReflectionInfo(iter([asked])):
        names = [service.name for service in answer.list_services_response.service]
        break
    pool = descriptor_pool.Default()
    services: list[ServiceDescriptor] = []
    for name in sorted(names):
        if name.startswith(_PLATFORM_SERVICES):
            continue
        try:
            services.append(pool.FindServiceByName(name))
        except KeyError:
            raise AssertionError(
                f"the server serves {name}, whose descriptor is not loaded: import its _pb2 module"
            ) from None
    return services


async def served_methods(channel: grpc.aio.Channel) -> list[MethodDescriptor]:
    """Every method of the services the server behind `channel` serves (see `served_services`)."""
    return [method for service in await served_services(channel) for method in service.methods]


def call(
    channel: grpc.aio.Channel, method: MethodDescriptor, request: Message, metadata: Metadata
) -> Awaitable[Message]:
    """Invoke the unary `method` with `request`."""
    response_class = message_factory.GetMessageClass(method.output_type)
    invoke: grpc.aio.UnaryUnaryMultiCallable[Message, Message] = channel.unary_unary(
        f"/{method.containing_service.full_name}/{method.name}",
        request_serializer=lambda message: message.SerializeToString(),
        response_deserializer=response_class.FromString,
    )
    return invoke(request, metadata=metadata)


async def expect_refusal(
    answer: Awaitable[Message], code: grpc.StatusCode, field: str | None, what: str
) -> None:
    """Fail unless `answer` is refused with `code` and, when given, a violation of `field`."""
    try:
        await answer
    except grpc.aio.AioRpcError as error:
        if error.code() != code:
            raise AssertionError(
                f"{what}: expected {code.name}, got {error.code().name}: {error.details()}"
            ) from None
        fields = [violation.field for violation in field_violations_of(error)]
        if field is not None and field not in fields:
            raise AssertionError(
                f"{what}: {code.name} names {fields or 'no field'}, not {field}"
            ) from None
        return
    raise AssertionError(f"{what}: expected {code.name}, but the call succeeded")
