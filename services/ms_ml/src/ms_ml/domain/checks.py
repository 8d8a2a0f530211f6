"""Bounds on what callers send, each refusal INVALID_ARGUMENT naming the field."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from .gates import Comparison, MetricGate
from .names import invalid

MAX_TAGS = 50
MAX_TAG_CHARS = 256
MAX_METRICS = 100
MAX_PARAMS = 100
MAX_METRIC_CHARS = 128
MAX_GATES = 20
MAX_DESCRIPTION_CHARS = 10_000
MAX_REASON_CHARS = 1_000


def bounded_text(value: str, field: str, limit: int, *, required: bool = False) -> str:
    if required and not value.strip():
        raise invalid(field, "is required")
    if len(value) > limit:
        raise invalid(field, f"must be at most {limit} characters (got {len(value)})")
    return value


def checked_tags(tags: Mapping[str, str], field: str, *, limit: int = MAX_TAGS) -> dict[str, str]:
    if len(tags) > limit:
        raise invalid(field, f"may hold at most {limit} entries (got {len(tags)})")
    for key, value in tags.items():
        if not key.strip():
            raise invalid(field, "keys must not be empty")
        if len(key) > MAX_TAG_CHARS or len(value) > MAX_TAG_CHARS:
            raise invalid(
                f"{field}[{key[:40]}]", f"key and value must be at most {MAX_TAG_CHARS} characters"
            )
    return dict(tags)


def checked_metrics(metrics: Mapping[str, float], field: str) -> dict[str, float]:
    if len(metrics) > MAX_METRICS:
        raise invalid(field, f"may hold at most {MAX_METRICS} metrics (got {len(metrics)})")
    for key, value in metrics.items():
        if not key.strip() or len(key) > MAX_METRIC_CHARS:
            raise invalid(field, f"metric names must be 1-{MAX_METRIC_CHARS} characters")
        if not math.isfinite(value):
            raise invalid(f"{field}[{key[:40]}]", "must be a finite number")
    return dict(metrics)


def checked_gates(gates: Sequence[tuple[str, int, float]], field: str) -> tuple[MetricGate, ...]:
    if len(gates) > MAX_GATES:
        raise invalid(field, f"may hold at most {MAX_GATES} gates (got {len(gates)})")
    checked = []
    for index, (metric, comparison, threshold) in enumerate(gates):
        where = f"{field}[{index}]"
        if not metric.strip() or len(metric) > MAX_METRIC_CHARS:
            raise invalid(f"{where}.metric", f"must be 1-{MAX_METRIC_CHARS} characters")
        if comparison not in {item.value for item in Comparison}:
            raise invalid(
                f"{where}.comparison", "must be GREATER_THAN(_OR_EQUAL) or LESS_THAN(_OR_EQUAL)"
            )
        if not math.isfinite(threshold):
            raise invalid(f"{where}.threshold", "must be a finite number")
        checked.append(MetricGate(metric, Comparison(comparison), threshold))
    return tuple(checked)
