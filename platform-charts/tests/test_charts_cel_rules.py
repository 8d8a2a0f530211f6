"""`fleet charts check` evaluates the CRDs' CEL rules as the API server would, offline: an object
that its schema accepts but a rule refuses is named, with the rule's message."""

from __future__ import annotations

from pathlib import Path

from fleet.charts.check import check_charts

from .chart_edits import replace_once


def test_a_strimzi_rule_the_schema_does_not_express_is_named(charts_copy: Path) -> None:
    # The JMX exporter needs its configuration (valueFrom); only a CEL rule of the CRD says so.
    template = charts_copy / "platform-charts/kafka/templates/cluster.yaml"
    replace_once(template, "type: strimziMetricsReporter", "type: jmxPrometheusExporter")

    lines = [str(problem) for problem in check_charts(charts_copy).problems]

    assert (
        "default/kafka: Kafka knowledge/knowledge: spec.kafka.metricsConfig: the API server would "
        'refuse it: Invalid value: "object": valueFrom property is required'
    ) in lines, lines
    assert not any("metricsConfig.type" in line and "unknown" in line for line in lines), lines


def test_an_istio_rule_the_schema_does_not_express_is_named(charts_copy: Path) -> None:
    # Port-level mutual TLS needs a workload selector: Istio's CRD says so in a CEL rule only.
    template = charts_copy / "platform-charts/platform-lib/templates/_service_release.tpl"
    replace_once(
        template,
        """spec:
  selector:
    matchLabels:
      {{- include "platform-lib.selectorLabels" . | nindent 6 }}
  mtls:""",
        """spec:
  mtls:""",
    )

    lines = [str(problem) for problem in check_charts(charts_copy).problems]

    assert any(
        line.startswith("default/ms-auth: PeerAuthentication knowledge/ms-auth: spec:")
        and "the API server would refuse it" in line
        and "portLevelMtls requires selector" in line
        for line in lines
    ), lines
