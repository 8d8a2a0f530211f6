"""TraceRpc: a server span per RPC, continuing the caller's W3C trace context."""

from __future__ import annotations

from typing import Any

import grpc
from opentelemetry import trace

from knowledge_kit.observability.tracing import extract_trace_context, tracer
from knowledge_kit.rpc.call import RpcCall
from knowledge_kit.rpc.pipeline import Proceed


class TraceRpc:
    """The span is current while the handler runs, so database and outgoing calls nest in it."""

    async def __call__(self, call: RpcCall, proceed: Proceed) -> Any:
        parent = extract_trace_context(call.metadata) if "traceparent" in call.metadata else None
        service, _, method = call.method.lstrip("/").partition("/")
        with tracer().start_as_current_span(
            call.method,
            context=parent,
            kind=trace.SpanKind.SERVER,
            attributes={"rpc.system": "grpc", "rpc.service": service, "rpc.method": method},
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            span_context = span.get_span_context()
            if span_context.is_valid:
                call.trace_id = format(span_context.trace_id, "032x")
            try:
                return await proceed(call)
            finally:
                span.set_attribute("rpc.grpc.status_code", call.status.value[0])
                if call.status is not grpc.StatusCode.OK:
                    span.set_status(trace.StatusCode.ERROR, call.status.name)
