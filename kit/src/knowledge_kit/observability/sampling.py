"""Trace sampling decided before a span exists, so an unsampled RPC costs one random() call.

The SDK decides after building the span's ids and context; at RPC rates that is a large share of
a small call. The RPC step instead decides a root's fate up front with the configured ratio and,
when it samples, marks the context so that the SDK's sampler records it without deciding again.
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.trace.sampling import (
    Decision,
    ParentBased,
    Sampler,
    SamplingResult,
    TraceIdRatioBased,
)
from opentelemetry.trace.span import TraceState
from opentelemetry.util.types import Attributes

_DECIDED = otel_context.create_key("knowledge-kit-root-sampled")

root_ratio = 0.0
"""The share of new roots to sample, as the installed provider's sampler was told (0 until one
is). The RPC step decides a root with `root_ratio and random.random() < root_ratio` (read here
on every RPC: a provider may be installed after the step is made) and starts a sampled one in
`sampled_root()`."""


def root_sampler(ratio: float) -> Sampler:
    """The provider's sampler: a caller's decision wins; roots the kit already sampled are
    recorded; other roots (consumers, jobs) are sampled at `ratio`."""
    global root_ratio
    if not 0.0 <= ratio <= 1.0:
        raise ValueError(f"trace sample ratio must be between 0 and 1, got {ratio}")
    root_ratio = ratio
    return ParentBased(root=_DecidedOrRatio(ratio))


def sampled_root() -> otel_context.Context:
    """A context to start a root span in that the provider's sampler records without deciding
    again."""
    return otel_context.set_value(_DECIDED, True, otel_context.Context())


def caller_sampled(traceparent: str) -> bool | None:
    """The sampled flag of a W3C `traceparent`; None when it is malformed."""
    if len(traceparent) != 55:
        return None
    try:
        return bool(int(traceparent[53:], 16) & 1)
    except ValueError:
        return None


class _DecidedOrRatio(Sampler):
    def __init__(self, ratio: float) -> None:
        self._ratio = TraceIdRatioBased(ratio)

    def should_sample(
        self,
        parent_context: otel_context.Context | None,
        trace_id: int,
        name: str,
        kind: trace.SpanKind | None = None,
        attributes: Attributes = None,
        links: Sequence[trace.Link] | None = None,
        trace_state: TraceState | None = None,
    ) -> SamplingResult:
        if parent_context is not None and otel_context.get_value(_DECIDED, parent_context):
            return SamplingResult(Decision.RECORD_AND_SAMPLE, attributes, trace_state)
        return self._ratio.should_sample(
            parent_context, trace_id, name, kind, attributes, links, trace_state
        )

    def get_description(self) -> str:
        return f"DecidedOrRatio{{{self._ratio.get_description()}}}"
