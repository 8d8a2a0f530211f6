"""Prometheus metrics for RPCs, created once per registry and reused by every server.

Counted in plain integers and turned into Prometheus samples when the registry is read (a
scrape): the client library's own Counter and Histogram take a lock for each value they change
and walk the buckets in Python, several times the cost of the RPC's own counting here, and an
RPC was counted far more often than it was scraped.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from functools import cache

from prometheus_client import REGISTRY, CollectorRegistry, Histogram
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

BUCKETS: tuple[float, ...] = tuple(
    bound for bound in Histogram.DEFAULT_BUCKETS if bound != float("inf")
)
"""Upper bounds of `grpc_server_handling_seconds` (the client library's defaults), +Inf after."""
_LE = (*(str(bound) for bound in BUCKETS), "+Inf")  # the `le` labels, as the client writes them


class RpcMetrics(Collector):
    """`grpc_server_handled_total{grpc_method,grpc_code}` and
    `grpc_server_handling_seconds{grpc_method}` (a histogram)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        # Per method: the RPCs handled by status code, and [sum of seconds, count in bucket 0,
        # ..., count above the last bound]; one lookup by method per RPC.
        self._methods: dict[str, tuple[dict[str, int], list[float]]] = {}
        registry.register(self)

    def observe(self, method: str, code: str, seconds: float) -> None:
        """Count one finished RPC and record how long it took."""
        record = self._methods.get(method)
        if record is None:
            record = self._methods[method] = ({}, [0.0] * (len(BUCKETS) + 2))
        handled, latency = record
        handled[code] = handled.get(code, 0) + 1
        latency[0] += seconds
        latency[bisect_left(BUCKETS, seconds) + 1] += 1

    def describe(self) -> Iterable[Metric]:
        return self._families({})

    def collect(self) -> Iterable[Metric]:
        # Copies taken in one step each: the event loop keeps counting while a scrape reads.
        methods = {
            method: (dict(handled), list(latency))
            for method, (handled, latency) in dict(self._methods).items()
        }
        return self._families(methods)

    @staticmethod
    def _families(methods: dict[str, tuple[dict[str, int], list[float]]]) -> list[Metric]:
        counter = CounterMetricFamily(
            "grpc_server_handled",
            "RPCs completed on the server, by method and status code.",
            labels=["grpc_method", "grpc_code"],
        )
        histogram = HistogramMetricFamily(
            "grpc_server_handling_seconds",
            "Time to handle an RPC, by method.",
            labels=["grpc_method"],
        )
        for method, (handled, latency) in methods.items():
            for code, count in handled.items():
                counter.add_metric([method, code], count)
            cumulative, buckets = 0.0, []
            for le, in_bucket in zip(_LE, latency[1:], strict=True):
                cumulative += in_bucket
                buckets.append((le, cumulative))
            histogram.add_metric([method], buckets, latency[0])
        return [counter, histogram]


@cache
def rpc_metrics(registry: CollectorRegistry = REGISTRY) -> RpcMetrics:
    """The RpcMetrics of `registry` (one set per registry, however many servers a process runs)."""
    return RpcMetrics(registry)
