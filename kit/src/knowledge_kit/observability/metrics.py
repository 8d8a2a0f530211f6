"""Prometheus metrics for RPCs, created once per registry and reused by every server."""

from __future__ import annotations

from functools import cache

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram


class RpcMetrics:
    """`grpc_server_handled_total{method,code}` and `grpc_server_handling_seconds{method}`."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.handled = Counter(
            "grpc_server_handled_total",
            "RPCs completed on the server, by method and status code.",
            ["grpc_method", "grpc_code"],
            registry=registry,
        )
        self.latency = Histogram(
            "grpc_server_handling_seconds",
            "Time to handle an RPC, by method.",
            ["grpc_method"],
            registry=registry,
        )
        # Both children of a method and status, bound on first use: one lookup per RPC.
        self._children: dict[tuple[str, str], tuple[Counter, Histogram]] = {}

    def observe(self, method: str, code: str, seconds: float) -> None:
        """Count one finished RPC and record how long it took."""
        children = self._children.get((method, code))
        if children is None:
            children = self._children[(method, code)] = (
                self.handled.labels(method, code),
                self.latency.labels(method),
            )
        handled, latency = children
        handled.inc()
        latency.observe(seconds)


@cache
def rpc_metrics(registry: CollectorRegistry = REGISTRY) -> RpcMetrics:
    """The RpcMetrics of `registry` (one set per registry, however many servers a process runs)."""
    return RpcMetrics(registry)
