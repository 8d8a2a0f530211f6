"""Prometheus metrics for RPCs, created once per registry and reused by every server."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from functools import cache

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

Outcome = tuple[str, str, float]
"""A finished RPC: method, status name, seconds."""


class RpcMetrics:
    """`grpc_server_handled_total{method,code}` and `grpc_server_handling_seconds{method}`.

    `observe` counts an RPC at once; `note` only queues it (one append), and the queue is counted
    by `count_noted`, which the RPC step calls once per event-loop iteration, and before any
    scrape or read of the registry, so a reader never misses an RPC that has finished.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self._noted: deque[Outcome] = deque()  # appended by the loop, emptied by either thread
        self.note = self._noted.append
        # Registered before the two metrics: a registry collects in that order.
        registry.register(_CountNotedFirst(self))
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

    def count_noted(self) -> None:
        """Count the RPCs `note` queued (from the event loop or a scrape's thread)."""
        noted, observe = self._noted, self.observe
        while noted:
            try:
                method, code, seconds = noted.popleft()
            except IndexError:  # the other thread took the last one
                return
            observe(method, code, seconds)


class _CountNotedFirst(Collector):
    """Yields no metric of its own: counts the noted RPCs as a scrape begins."""

    def __init__(self, metrics: RpcMetrics) -> None:
        self._metrics = metrics

    def collect(self) -> Iterable[Metric]:
        self._metrics.count_noted()
        return ()

    def describe(self) -> Iterable[Metric]:
        return ()


@cache
def rpc_metrics(registry: CollectorRegistry = REGISTRY) -> RpcMetrics:
    """The RpcMetrics of `registry` (one set per registry, however many servers a process runs)."""
    return RpcMetrics(registry)
