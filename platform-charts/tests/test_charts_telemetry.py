"""Telemetry: the services export their spans to the OpenTelemetry collector and may reach it,
the mesh logs access and traces the namespace, Prometheus scrapes the services, the sidecars and
Kafka through PodMonitors where the Prometheus operator is, and may reach what it scrapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from fleet.charts.helm_engine import render, staged_charts

from .chart_edits import REPO_ROOT

GOLDEN = REPO_ROOT / "platform-charts/golden"
SERVICES = sorted(path.stem for path in (GOLDEN / "default").glob("ms-*.yaml"))
COLLECTOR = "http://opentelemetry-collector.observability.svc.cluster.local:4317"


def _golden(scenario: str, chart: str) -> list[dict[str, Any]]:
    path = GOLDEN / scenario / f"{chart}.yaml"
    return [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d]


def _one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    [found] = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def _kinds(objects: list[dict[str, Any]]) -> set[str]:
    return {o["kind"] for o in objects}


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_exports_its_spans_to_the_collector_it_may_reach(service: str) -> None:
    objects = _golden("default", service)
    deployment = _one(objects, "Deployment", service)
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    env = {variable["name"]: variable.get("value") for variable in container["env"]}
    policy = _one(objects, "NetworkPolicy", service)

    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == COLLECTOR
    collector = {
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "observability"}},
        "podSelector": {"matchLabels": {"app.kubernetes.io/name": "opentelemetry-collector"}},
    }
    assert {"ports": [{"port": 4317, "protocol": "TCP"}], "to": [collector]} in policy["spec"][
        "egress"
    ]


@pytest.mark.parametrize("service", SERVICES)
def test_prometheus_scrapes_the_service_and_its_sidecar_where_the_operator_is(
    service: str,
) -> None:
    production = _golden("production", service)
    deployment = _one(production, "Deployment", service)
    monitor = _one(production, "PodMonitor", service)
    pod = deployment["spec"]["template"]
    metrics = next(p for p in pod["spec"]["containers"][0]["ports"] if p["name"] == "metrics")

    assert monitor["spec"]["selector"] == deployment["spec"]["selector"]
    endpoints = {(e["port"], e["path"]) for e in monitor["spec"]["podMetricsEndpoints"]}
    assert endpoints == {("metrics", "/metrics"), ("http-envoy-prom", "/stats/prometheus")}
    # Prometheus is outside the mesh: the metrics port bypasses the sidecar's mutual TLS ...
    excluded = pod["metadata"]["annotations"]["traffic.sidecar.istio.io/excludeInboundPorts"]
    assert excluded == str(metrics["containerPort"])
    # ... and only Prometheus is admitted there, and on the sidecar's.
    policy = _one(production, "NetworkPolicy", service)
    scrape = [
        rule
        for rule in policy["spec"]["ingress"]
        if {"port": metrics["containerPort"], "protocol": "TCP"} in rule["ports"]
    ]
    assert [rule["from"] for rule in scrape] == [
        [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
                "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
            }
        ]
    ]
    assert {"port": 15090, "protocol": "TCP"} in scrape[0]["ports"]


def test_no_pod_monitor_where_the_cluster_has_no_prometheus_operator() -> None:
    # `auto`, and `helm template` (as the check renders) tells of no monitoring.coreos.com API.
    for scenario in ("default", "single-node"):
        for chart in [*SERVICES, "kafka"]:
            assert "PodMonitor" not in _kinds(_golden(scenario, chart)), (scenario, chart)


def test_kafka_exposes_its_metrics_and_prometheus_scrapes_every_node() -> None:
    for scenario in ("default", "production", "single-node"):
        kafka = _one(_golden(scenario, "kafka"), "Kafka", "knowledge")
        metrics = kafka["spec"]["kafka"]["metricsConfig"]
        assert metrics["type"] == "strimziMetricsReporter"
        assert "kafka_server.*" in metrics["values"]["allowList"]
    monitor = _one(_golden("production", "kafka"), "PodMonitor", "knowledge-kafka")
    assert monitor["spec"]["selector"]["matchLabels"] == {
        "strimzi.io/cluster": "knowledge",
        "strimzi.io/kind": "Kafka",
    }
    assert monitor["spec"]["podMetricsEndpoints"][0]["port"] == "tcp-prometheus"


def test_the_mesh_logs_every_request_and_traces_to_the_collector() -> None:
    telemetry = _one(_golden("default", "mesh"), "Telemetry", "platform")

    assert telemetry["metadata"]["namespace"] == "knowledge"
    assert "selector" not in telemetry["spec"]
    assert telemetry["spec"]["accessLogging"] == [{"providers": [{"name": "envoy"}]}]
    [tracing] = telemetry["spec"]["tracing"]
    assert tracing["providers"] == [{"name": "otel-tracing"}]
    assert 0 < tracing["randomSamplingPercentage"] <= 100


def test_an_empty_collector_endpoint_exports_nothing(tmp_path: Path) -> None:
    with staged_charts(REPO_ROOT / "platform-charts") as charts:
        [chart] = [chart for chart in charts if chart.name == "ms-auth"]
        manifests = render(chart, {"telemetry": {"tracesEndpoint": ""}}, "knowledge")
    objects = [d for text in manifests.values() for d in yaml.safe_load_all(text) if d]
    deployment = _one(objects, "Deployment", "ms-auth")
    names = {v["name"] for v in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in names
