"""Channels for service-to-service calls: reused per target, deadlines and identity forwarded."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import grpc

from knowledge_kit.errors import DEPENDENCY_DOWN_CODES, DependencyUnavailableError
from knowledge_kit.observability.tracing import inject_trace_context
from knowledge_kit.rpc.call import REQUEST_ID_KEY, current_call

# UNAVAILABLE: the call was refused or the connection lost. CANCELLED as an answer (a call the
# caller cancels itself is never retried): gRPC's core server gives it to the calls that had
# arrived but that no handler had taken up yet when a stop began (grpc/grpc#41785), so a read
# sent at the moment an instance stops would fail instead of going to another one.
RETRYABLE_CODES = ("UNAVAILABLE", "CANCELLED")


class ServiceChannels:
    """One channel per target, shared by every stub. Each outgoing call gets the default timeout
    capped by the deadline of the RPC being handled, the caller's token, the trace context and
    the request id. Only methods named idempotent (`pkg.Service/Method`) are retried. A unary
    call the called service does not answer raises DependencyUnavailableError naming it."""

    def __init__(self, *, default_timeout_seconds: float = 5.0, max_attempts: int = 4) -> None:
        if not 1 <= max_attempts <= 5:
            raise ValueError(f"max_attempts must be 1..5 (gRPC's limit), got {max_attempts}")
        self._default_timeout = default_timeout_seconds
        self._max_attempts = max_attempts
        self._channels: dict[str, grpc.aio.Channel] = {}

    def channel(self, target: str, *, idempotent_methods: Iterable[str] = ()) -> grpc.aio.Channel:
        """The shared channel to `target` (`host:port`); retry policy is set on first use."""
        channel = self._channels.get(target)
        if channel is None:
            options = [
                ("grpc.service_config", self._service_config(idempotent_methods)),
                ("grpc.enable_retries", 1),
            ]
            channel = grpc.aio.insecure_channel(
                target,
                options=options,
                interceptors=[
                    _ForwardUnaryUnary(self._default_timeout),
                    _ForwardUnaryStream(self._default_timeout),
                ],
            )
            self._channels[target] = channel
        return channel

    def _service_config(self, idempotent_methods: Iterable[str]) -> str:
        names = []
        for full_name in idempotent_methods:
            service, _, method = full_name.strip("/").partition("/")
            if not service or not method:
                raise ValueError(f"idempotent method {full_name!r} must be 'pkg.Service/Method'")
            names.append({"service": service, "method": method})
        if not names:
            return json.dumps({})
        policy = {
            "maxAttempts": self._max_attempts,
            "initialBackoff": "0.05s",
            "maxBackoff": "1s",
            "backoffMultiplier": 2,
            "retryableStatusCodes": list(RETRYABLE_CODES),
        }
        return json.dumps({"methodConfig": [{"name": names, "retryPolicy": policy}]})

    async def close(self) -> None:
        """Close every channel."""
        for channel in self._channels.values():
            await channel.close()
        self._channels.clear()


def forwarded_call_details(
    details: grpc.aio.ClientCallDetails, default_timeout: float
) -> grpc.aio.ClientCallDetails:
    """`details` with the deadline, token, trace context and request id of the current RPC."""
    metadata = grpc.aio.Metadata(*(details.metadata or ()))
    timeout = details.timeout if details.timeout is not None else default_timeout
    call = current_call()
    if call is not None:
        if call.deadline is not None:
            timeout = min(timeout, max(call.deadline - time.monotonic(), 0.0))
        if call.principal is not None and metadata.get("authorization") is None:
            metadata["authorization"] = f"Bearer {call.principal.token}"
        if metadata.get(REQUEST_ID_KEY) is None:
            metadata[REQUEST_ID_KEY] = call.request_id
    carrier: dict[str, str] = {}
    inject_trace_context(carrier)
    if not carrier and call is not None and "traceparent" in call.metadata:
        carrier["traceparent"] = call.metadata["traceparent"]  # keep an unsampled caller's trace
    for key, value in carrier.items():
        metadata[key] = value
    return grpc.aio.ClientCallDetails(
        details.method, timeout, metadata, details.credentials, details.wait_for_ready
    )


class _ForwardCallContext:
    def __init__(self, default_timeout: float) -> None:
        self._default_timeout = default_timeout

    async def _forward(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, Any], Awaitable[Any]],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> Any:
        details = forwarded_call_details(client_call_details, self._default_timeout)
        return await continuation(details, request)


class _ForwardUnaryUnary(_ForwardCallContext, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, Any], Awaitable[Any]],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> Any:
        call = await self._forward(continuation, client_call_details, request)
        try:
            await call
        except grpc.aio.AioRpcError as failed:
            if failed.code() in DEPENDENCY_DOWN_CODES:
                dependency = _service_of(client_call_details.method)
                raise DependencyUnavailableError(dependency) from failed
            raise
        # The finished call, not its response: the caller still reads its metadata.
        return call


def _service_of(method: str | bytes) -> str:
    """`pkg.Service` of `/pkg.Service/Method`."""
    text = method.decode() if isinstance(method, bytes) else method
    return text.strip("/").partition("/")[0]


class _ForwardUnaryStream(_ForwardCallContext, grpc.aio.UnaryStreamClientInterceptor):
    intercept_unary_stream = _ForwardCallContext._forward
