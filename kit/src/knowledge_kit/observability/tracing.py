"""OpenTelemetry: one tracer provider per process, W3C trace context on every hop."""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from random import random

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from knowledge_kit.observability import sampling
from knowledge_kit.observability.sampling import caller_sampled, root_sampler, sampled_root

TRACER_NAME = "knowledge_kit"
OTLP_ENDPOINT_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"


def otlp_exporter_from_environment() -> SpanExporter | None:
    """An OTLP/gRPC exporter when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (e.g. the collector's
    `http://otel-collector:4317`; the exporter reads the other `OTEL_EXPORTER_OTLP_*` variables),
    else None: without a collector spans are not exported."""
    if not os.environ.get(OTLP_ENDPOINT_ENV):
        return None
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def configure_tracing(
    service_name: str, *, sample_ratio: float = 1.0, exporter: SpanExporter | None = None
) -> TracerProvider:
    """Install a tracer provider for the service; spans are batched to `exporter` when given.

    A caller's sampling decision (the `traceparent` flag) is always followed; `sample_ratio` is
    the share of traces that start in this service which are recorded.
    """
    provider = TracerProvider(
        resource=Resource.create({"service.name": service_name}),
        sampler=root_sampler(sample_ratio),
    )
    if exporter is not None:
        provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return provider


def tracer() -> trace.Tracer:
    """The kit's tracer (from whatever provider is installed)."""
    return trace.get_tracer(TRACER_NAME)


def inject_trace_context(carrier: MutableMapping[str, str]) -> None:
    """Write the current span's `traceparent`/`tracestate` into `carrier`."""
    propagate.inject(carrier)


def extract_trace_context(carrier: Mapping[str, str]) -> otel_context.Context:
    """The remote parent context a carrier (gRPC metadata, Kafka headers) carries."""
    return propagate.extract(carrier)


def parent_to_record(
    traceparent: str | None, carrier: Mapping[str, str]
) -> otel_context.Context | None:
    """Where work that continues `traceparent` (the value of `carrier`'s header) records its span:
    the caller's context when the caller sampled; a sampled root (`sampled_root()`) when there is
    no caller, or none readable, and the root ratio picks it; None when nothing is to be recorded
    (the caller's decision not to sample stands, and the work gets no span at all)."""
    sampled = None if traceparent is None else caller_sampled(traceparent)
    if sampled is None:
        ratio = sampling.root_ratio
        return sampled_root() if ratio and random() < ratio else None
    return extract_trace_context(carrier) if sampled else None


def current_trace_id() -> str:
    """The current trace id as 32 hex digits, or empty when nothing is being traced."""
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else ""
