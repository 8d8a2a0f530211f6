"""Metric gates: what a version's metrics must meet before it is promoted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import IntEnum


class Comparison(IntEnum):
    """The contract's MetricComparison numbers."""

    GREATER_THAN = 1
    GREATER_THAN_OR_EQUAL = 2
    LESS_THAN = 3
    LESS_THAN_OR_EQUAL = 4

    @property
    def symbol(self) -> str:
        return {1: ">", 2: ">=", 3: "<", 4: "<="}[self.value]

    def holds(self, value: float, threshold: float) -> bool:
        match self:
            case Comparison.GREATER_THAN:
                return value > threshold
            case Comparison.GREATER_THAN_OR_EQUAL:
                return value >= threshold
            case Comparison.LESS_THAN:
                return value < threshold
            case Comparison.LESS_THAN_OR_EQUAL:
                return value <= threshold


@dataclass(frozen=True, slots=True)
class MetricGate:
    metric: str
    comparison: Comparison
    threshold: float

    def __str__(self) -> str:
        return f"{self.metric} {self.comparison.symbol} {self.threshold:g}"

    def failure(self, metrics: Mapping[str, float]) -> str | None:
        """Why `metrics` fail this gate, or None when they pass it."""
        value = metrics.get(self.metric)
        if value is None:
            return f"gate {self} fails: the version has no metric {self.metric}"
        if not self.comparison.holds(value, self.threshold):
            return f"gate {self} fails: {self.metric} is {value:g}"
        return None


def gate_failures(gates: Iterable[MetricGate], metrics: Mapping[str, float]) -> list[str]:
    """Every gate the metrics fail, each with its reason."""
    return [reason for gate in gates if (reason := gate.failure(metrics)) is not None]
