"""`fleet charts check` fails on the mistakes that would be outages, naming object and field."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fleet.charts.check import check_charts
from fleet.charts.generated_files import write_generated_files

from .chart_edits import edit_service, replace_once, service_entry


def _problem_lines(root: Path) -> list[str]:
    return [str(problem) for problem in check_charts(root).problems]


def test_a_values_typo_fails_the_render_naming_the_key(charts_copy: Path) -> None:
    values = charts_copy / "platform-charts/services/ms-auth/values.yaml"
    replace_once(
        values, "autoscaling:\n  minReplicas:", "autoscaling:\n  minReplica: 3\n  minReplicas:"
    )

    lines = _problem_lines(charts_copy)

    assert (
        "default/ms-auth: helm template: values.autoscaling.minReplica: "
        "unknown key (not in values.schema.json)"
    ) in lines, lines


def test_a_typo_in_a_scenario_names_the_key_and_the_scenario(charts_copy: Path) -> None:
    scenario = charts_copy / "platform-charts/scenarios/production.yaml"
    replace_once(
        scenario,
        "    pullPolicy: IfNotPresent\n",
        "    pullPolicy: IfNotPresent\n    tagg: latest\n",
    )

    lines = _problem_lines(charts_copy)

    assert (
        "production/ms-chat: helm template: values.image.tagg: unknown key (not in values.schema.json)"
    ) in lines, lines
    assert not any(line.startswith("default/") for line in lines), lines


def test_a_field_istio_removed_is_named_with_its_object(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/platform-lib/templates/_routes.tpl"
    replace_once(
        template,
        "  timeout: {{ .timeout }}\n",
        '  timeout: {{ .timeout }}\n  {{- if eq .name "websocket" }}\n  websocketUpgrade: true\n  {{- end }}\n',
    )

    lines = _problem_lines(charts_copy)

    assert (
        "default/ms-canvas: VirtualService knowledge/ms-canvas: spec.http[0].websocketUpgrade: "
        "unknown field (not in the pinned schema)"
    ) in lines, lines


def test_a_policy_naming_a_missing_service_account_is_named(charts_copy: Path) -> None:
    values = charts_copy / "platform-charts/services/ms-vector/values.yaml"
    replace_once(values, "  callers:\n  - ms-chat\n", "  callers:\n  - ms-chat\n  - ms-search\n")

    lines = _problem_lines(charts_copy)

    assert (
        "default/ms-vector: AuthorizationPolicy knowledge/ms-vector: "
        "spec.rules[0].from[0].source.principals[1]: names ServiceAccount knowledge/ms-search, "
        "which does not exist"
    ) in lines, lines
    assert any(
        "ms-vector/values.yaml differs from what repos.yaml generates" in line for line in lines
    )


def test_a_consumed_topic_no_kafka_topic_declares_is_named(charts_copy: Path) -> None:
    topics = service_entry(charts_copy, "ms_vector")["topics"]
    assert isinstance(topics, dict)
    topics["consumes"] = [*topics["consumes"], "search.queries.v1"]
    edit_service(charts_copy, "ms_vector", topics=topics)
    write_generated_files(charts_copy)

    lines = _problem_lines(charts_copy)

    assert any(
        line.startswith("default/ms-vector: Deployment knowledge/ms-vector: ")
        and "(MS_VECTOR_CONSUMED_TOPICS)" in line
        and "topic 'search.queries.v1' is declared by no KafkaTopic" in line
        for line in lines
    ), lines
    assert any(
        line.startswith("default/kafka: KafkaUser knowledge/ms-vector: spec.authorization.acls[")
        and "topic 'search.queries.v1' is declared by no KafkaTopic" in line
        for line in lines
    ), lines


def test_the_command_prints_each_problem_and_exits_non_zero(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/platform-lib/templates/_networking.tpl"
    replace_once(
        template, "      mode: ISTIO_MUTUAL\n", "      mode: ISTIO_MUTUAL\n      sni: [x]\n"
    )

    result = subprocess.run(
        [sys.executable, "-m", "fleet", "charts", "check"],
        cwd=charts_copy,
        env={**os.environ, "FLEET_ROOT": str(charts_copy), "COLUMNS": "400"},
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 1
    assert "DestinationRule knowledge/ms-auth: spec.trafficPolicy.tls.sni:" in result.stderr
    assert "fleet: charts check:" in result.stderr


def test_a_service_consuming_what_its_kafka_user_may_not_read_is_named(charts_copy: Path) -> None:
    values = charts_copy / "platform-charts/kafka/values.yaml"
    replace_once(
        values,
        "  consumerGroup: ms_vector\n  produces:\n  - vector.index.v1\n  consumes:\n"
        "  - knowledge.documents.v1\n",
        "  consumerGroup: ms_vector\n  produces:\n  - vector.index.v1\n  consumes:\n",
    )

    lines = _problem_lines(charts_copy)

    assert any(
        line.startswith("default/ms-vector: Deployment knowledge/ms-vector: ")
        and "(MS_VECTOR_CONSUMED_TOPICS): KafkaUser knowledge/ms-vector is not granted Read "
        "on topic 'knowledge.documents.v1'"
        in line
        for line in lines
    ), lines


def test_a_browser_route_the_ingress_may_not_pass_is_named(charts_copy: Path) -> None:
    callers = service_entry(charts_copy, "ms_ml")["callers"]
    assert isinstance(callers, list) and "ingress" in callers
    edit_service(charts_copy, "ms_ml", callers=[c for c in callers if c != "ingress"])
    write_generated_files(charts_copy)

    lines = _problem_lines(charts_copy)

    assert any(
        line.startswith("default/mesh: VirtualService knowledge/platform-ingress: spec.http[")
        and line.endswith(
            "].route[0].destination.host: no AuthorizationPolicy lets the ingress gateway reach "
            "the pods of Service knowledge/ms-ml"
        )
        for line in lines
    ), lines
