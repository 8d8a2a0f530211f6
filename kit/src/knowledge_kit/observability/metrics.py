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
        self._handled_children: dict[tuple[str, str], Counter] = {}
        self._latency_children: dict[str, Histogram] = {}

    def observe(self, method: str, code: str, seconds: float) -> None:
        """Count one finished RPC and record how long it took."""
        handled = self._handled_children.get((method, code))
        if handled is None:
            handled = self._handled_children[(method, code)] = self.handled.labels(method, code)
        latency = self._latency_children.get(method)
        if latency is None:
            latency = self._latency_children[method] = self.latency.labels(method)
        handled.inc()
        latency.observe(seconds)


@cache
def rpc_metrics(registry: CollectorRegistry = REGISTRY) -> RpcMetrics:
    """The RpcMetrics of `registry` (one set per registry, however many servers a process runs)."""
    return RpcMetrics(registry)
