"""Schema-driven fuzzing of a served gRPC service: every method, from its descriptor alone, gets
hostile requests (see `fuzz_cases`) and must answer each with a deliberate status, never
UNKNOWN or INTERNAL, and the service must still report SERVING afterwards.

    report = await fuzz_service(channel, foo_pb2.DESCRIPTOR.services_by_name["FooService"],
                                metadata=(("authorization", f"Bearer {token}"),),
                                seeds={"GetFoo": GetFooRequest(name="foos/1")})

A new RPC is covered without writing anything (a seed, a valid request, only lets the cases
reach past the checks an empty request fails); the cases are bounded per method and the whole
run by a time budget (cases left over are counted as skipped, never silently dropped).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import grpc
from google.protobuf.descriptor import MethodDescriptor, ServiceDescriptor
from google.protobuf.message import Message
from grpc_health.v1 import health_pb2, health_pb2_grpc

from knowledge_kit.testing.fuzz_cases import FuzzCase, fuzz_cases

# What a broken handler answers: an exception nobody mapped (INTERNAL), or one grpc caught itself.
BROKEN_CODES = frozenset({grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL})
# A streamed answer is read this far: enough to see the handler run, not to wait on a watch.
STREAMED_MESSAGES_READ = 3


@dataclass
class FuzzReport:
    """What each method (`pkg.Service/Method`) answered, by status name, and what was skipped."""

    answers: dict[str, Counter[str]] = field(default_factory=dict)
    skipped: int = 0


async def fuzz_service(
    channel: grpc.aio.Channel,
    service: ServiceDescriptor,
    *,
    metadata: Sequence[tuple[str, str]] = (),
    seeds: Mapping[str, Message] | None = None,
    max_cases_per_method: int = 40,
    call_timeout_seconds: float = 2.0,
    budget_seconds: float = 60.0,
) -> FuzzReport:
    """Send each method of `service` its fuzz cases (`seeds` by method name); raise
    AssertionError naming every case answered UNKNOWN or INTERNAL, every method whose calls were
    all UNAUTHENTICATED (pass a token in `metadata`), or the service no longer SERVING."""
    seeds = seeds or {}
    unknown = sorted(set(seeds) - {method.name for method in service.methods})
    if unknown:
        raise ValueError(f"seeds name methods {service.full_name} does not have: {unknown}")
    report = FuzzReport()
    broken: list[str] = []
    ends_at = time.monotonic() + budget_seconds
    for method in service.methods:
        path = f"/{service.full_name}/{method.name}"
        answers = report.answers.setdefault(path[1:], Counter())
        cases = fuzz_cases(method.input_type, max_cases_per_method, seeds.get(method.name))
        for case in cases:
            if time.monotonic() > ends_at:
                report.skipped += 1
                continue
            code, details = await _send(channel, method, path, case, metadata, call_timeout_seconds)
            answers[code.name] += 1
            if code in BROKEN_CODES:
                broken.append(f"{path[1:]} answered {code.name} to {case.what}: {details!r}")
        if answers and set(answers) == {grpc.StatusCode.UNAUTHENTICATED.name}:
            broken.append(f"{path[1:]} refused every call as UNAUTHENTICATED: pass a token")
    status = await _health(channel, service.full_name, metadata)
    if status != "SERVING":
        broken.append(f"{service.full_name} reports {status} after fuzzing")
    if broken:
        raise AssertionError("fuzzing found broken answers:\n" + "\n".join(broken))
    return report


async def _send(
    channel: grpc.aio.Channel,
    method: MethodDescriptor,
    path: str,
    case: FuzzCase,
    metadata: Sequence[tuple[str, str]],
    seconds: float,
) -> tuple[grpc.StatusCode, str]:
    """The status `method` answered `case` with (bytes sent as they are, answers unparsed)."""
    try:
        if method.client_streaming and method.server_streaming:
            both: grpc.aio.StreamStreamMultiCallable[bytes, bytes] = channel.stream_stream(path)
            await _read_some(both(_one(case.payload), metadata=metadata, timeout=seconds))
        elif method.client_streaming:
            upload: grpc.aio.StreamUnaryMultiCallable[bytes, bytes] = channel.stream_unary(path)
            await upload(_one(case.payload), metadata=metadata, timeout=seconds)
        elif method.server_streaming:
            stream: grpc.aio.UnaryStreamMultiCallable[bytes, bytes] = channel.unary_stream(path)
            await _read_some(stream(case.payload, metadata=metadata, timeout=seconds))
        else:
            unary: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(path)
            await unary(case.payload, metadata=metadata, timeout=seconds)
    except grpc.aio.AioRpcError as answer:
        return answer.code(), answer.details() or ""
    return grpc.StatusCode.OK, ""


async def _read_some(
    call: grpc.aio.UnaryStreamCall[bytes, bytes] | grpc.aio.StreamStreamCall[bytes, bytes],
) -> None:
    read = 0
    async for _ in call:
        read += 1
        if read == STREAMED_MESSAGES_READ:
            call.cancel()
            return


async def _one(payload: bytes) -> AsyncIterator[bytes]:
    yield payload


async def _health(
    channel: grpc.aio.Channel, service_name: str, metadata: Sequence[tuple[str, str]]
) -> str:
    stub: Any = health_pb2_grpc.HealthStub(channel)  # generated without type hints
    try:
        answer = await stub.Check(
            health_pb2.HealthCheckRequest(service=service_name), metadata=metadata, timeout=5
        )
    except grpc.aio.AioRpcError as failed:
        return failed.code().name
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(answer.status))
