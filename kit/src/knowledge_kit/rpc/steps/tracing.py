"""TraceRpc: a server span per sampled RPC, continuing the caller's W3C trace context."""

from __future__ import annotations

from collections.abc import Awaitable
from random import random
from typing import Any

import grpc
from opentelemetry import context as otel_context
from opentelemetry import trace

from knowledge_kit.observability import sampling
from knowledge_kit.observability.sampling import sampled_root
from knowledge_kit.observability.tracing import parent_to_record, tracer
from knowledge_kit.rpc.call import RpcCall
from knowledge_kit.rpc.pipeline import BindingStep, Proceed


class TraceRpc(BindingStep):
    """The span is current while the handler runs, so database and outgoing calls nest in it.

    Unsampled RPCs get no span at all (an unsampled caller's `traceparent` is forwarded as is,
    so downstream services keep the decision); see `observability.sampling`.
    """

    def __init__(self) -> None:
        # A proxy until a provider is installed, so creating steps before configure_tracing works.
        self._tracer = tracer()

    def bind(self, proceed: Proceed) -> Proceed:
        traced = self._traced

        def trace(call: RpcCall) -> Awaitable[Any]:
            traceparent = call.metadata.get("traceparent")
            if traceparent is None:
                # parent_to_record's decision for a root, inline: no call at RPC rates.
                ratio = sampling.root_ratio
                parent = sampled_root() if ratio and random() < ratio else None
            else:
                parent = parent_to_record(traceparent, call.metadata)
            if parent is None:
                return proceed(call)  # unsampled: no coroutine of this step's own
            return traced(call, parent, proceed)

        return trace

    async def _traced(self, call: RpcCall, parent: otel_context.Context, proceed: Proceed) -> Any:
        service, _, method = call.method[1:].partition("/")
        # start_span + attach rather than start_as_current_span: no generator-based context
        # manager per call.
        span = self._tracer.start_span(
            call.method,
            context=parent,
            kind=trace.SpanKind.SERVER,
            attributes={"rpc.system": "grpc", "rpc.service": service, "rpc.method": method},
            record_exception=False,
            set_status_on_exception=False,
        )
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        try:
            if span.is_recording():
                call.trace_id = format(span.get_span_context().trace_id, "032x")
            return await proceed(call)
        finally:
            otel_context.detach(token)
            if span.is_recording():
                span.set_attribute("rpc.grpc.status_code", call.status.value[0])
                if call.status is not grpc.StatusCode.OK:
                    span.set_status(trace.StatusCode.ERROR, call.status.name)
            span.end()
