"""The real Helm engine (Helm's Go SDK through helm-python-sdk): lint and render, offline.

Charts are staged in a scratch directory where `helm dependency build` resolves the library chart
from its file:// repository, exactly as a release from a checkout does; the checkout stays clean.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import helm_python as helm

from fleet.charts.layout import (
    CLICKHOUSE_CHART,
    KAFKA_CHART,
    LIBRARY_CHART,
    MESH_CHART,
    POSTGRES_CHART,
    QDRANT_CHART,
    SERVICES_DIR,
    WEB_CHART,
)
from fleet.errors import FleetError

KUBERNETES_VERSION_FOR_LINT = "v1.34.0"
_WARNING = 2


@dataclass(frozen=True)
class StagedChart:
    """A chart ready to render: its name (also its release name) and staged directory."""

    name: str
    path: Path
    is_service: bool


@contextmanager
def staged_charts(charts_root: Path) -> Iterator[list[StagedChart]]:
    """Copy the charts to a scratch directory and build their dependencies there."""
    with tempfile.TemporaryDirectory(prefix="platform-charts-") as scratch:
        staged = Path(scratch)
        shutil.copytree(charts_root / LIBRARY_CHART, staged / LIBRARY_CHART)
        charts = [StagedChart(MESH_CHART, staged / MESH_CHART, False)]
        charts.append(StagedChart(KAFKA_CHART, staged / KAFKA_CHART, False))
        charts.append(StagedChart(QDRANT_CHART, staged / QDRANT_CHART, False))
        charts.append(StagedChart(CLICKHOUSE_CHART, staged / CLICKHOUSE_CHART, False))
        charts.append(StagedChart(POSTGRES_CHART, staged / POSTGRES_CHART, False))
        charts.append(StagedChart(WEB_CHART, staged / WEB_CHART, False))
        for chart_dir in sorted((charts_root / SERVICES_DIR).glob("*/Chart.yaml")):
            name = chart_dir.parent.name
            charts.append(StagedChart(name, staged / SERVICES_DIR / name, True))
        for chart in charts:
            source = charts_root / chart.path.relative_to(staged)
            shutil.copytree(
                source, chart.path, ignore=shutil.ignore_patterns("charts", "Chart.lock")
            )
            try:
                helm.dependency_build(str(chart.path))
            except helm.HelmError as exc:
                raise FleetError(
                    f"{chart.name}: helm dependency build failed: {_one_line(exc)}"
                ) from None
        yield charts


def lint(chart: StagedChart, values: dict[str, Any], namespace: str) -> list[str]:
    """`helm lint --strict` findings (warnings and errors) for these values."""
    report = helm.lint(
        str(chart.path),
        values,
        strict=True,
        namespace=namespace,
        kube_version=KUBERNETES_VERSION_FOR_LINT,
    )
    messages = report.get("messages", [])
    return sorted(
        {f"{m['path']}: {_one_line(m['error'])}" for m in messages if m["severity"] >= _WARNING}
    )


def render(chart: StagedChart, values: dict[str, Any], namespace: str) -> dict[str, str]:
    """Rendered manifests by template path; a schema or template error becomes a FleetError."""
    with helm.Chart.load(str(chart.path)) as loaded:
        try:
            return loaded.render(values, name=chart.name, namespace=namespace, is_install=True)
        except helm.HelmError as exc:
            raise RenderError(str(exc)) from None


def effective_values(chart: StagedChart, values: dict[str, Any]) -> dict[str, Any]:
    """The chart's defaults coalesced with `values`, as an install would use them."""
    with helm.Chart.load(str(chart.path)) as loaded:
        return loaded.merge_values(values)


class RenderError(Exception):
    """Helm refused to render (values schema, template error); Helm's message says where."""


def _one_line(error: object) -> str:
    return " ".join(str(error).split())
