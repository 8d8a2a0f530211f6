"""RecordMetrics: Prometheus count and latency per method and status."""

from __future__ import annotations

import time
from typing import Any

from prometheus_client import REGISTRY, CollectorRegistry

from knowledge_kit.observability.metrics import rpc_metrics
from knowledge_kit.rpc.call import OK, STATUS_NAMES, RpcCall
from knowledge_kit.rpc.pipeline import Proceed


class RecordMetrics:
    """Observes `grpc_server_handled_total` and `grpc_server_handling_seconds`."""

    def __init__(self, registry: CollectorRegistry = REGISTRY) -> None:
        self._metrics = rpc_metrics(registry)

    async def __call__(self, call: RpcCall, proceed: Proceed) -> Any:
        started = time.perf_counter()
        try:
            return await proceed(call)
        finally:
            code = call.status
            self._metrics.observe(
                call.method,
                "OK" if code is OK else STATUS_NAMES[code],
                time.perf_counter() - started,
            )
