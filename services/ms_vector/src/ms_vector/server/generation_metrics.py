"""The index generations as Prometheus gauges, read at each scrape from what the rollout last
recorded: which model version serves, which is being built and how far it has come.

`vector_index_generation{model,state}` is 1 for each generation recorded (state: serving,
building, failed, retired); `vector_index_generation_documents{model,kind}` holds a building
generation's progress (kind: done, total).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from ..domain.generations import GenerationRecord, GenerationState


class GenerationMetrics(Collector):
    """Reads `records` (the rollout's latest view, no I/O) when scraped."""

    def __init__(
        self,
        records: Callable[[], Iterable[GenerationRecord]],
        registry: CollectorRegistry = REGISTRY,
    ) -> None:
        self._records = records
        registry.register(self)

    def describe(self) -> Iterable[Metric]:
        return self._families([])

    def collect(self) -> Iterable[Metric]:
        return self._families(list(self._records()))

    @staticmethod
    def _families(records: list[GenerationRecord]) -> list[Metric]:
        state = GaugeMetricFamily(
            "vector_index_generation",
            "Index generations by embedding model version and state (1 each).",
            labels=["model", "state"],
        )
        documents = GaugeMetricFamily(
            "vector_index_generation_documents",
            "Documents a generation holds of all indexed (while it is built).",
            labels=["model", "kind"],
        )
        for record in records:
            state.add_metric([record.model, record.state.name.lower()], 1.0)
            if record.state is GenerationState.BUILDING:
                documents.add_metric([record.model, "done"], float(record.documents_done))
                documents.add_metric([record.model, "total"], float(record.documents_total))
        return [state, documents]
