"""The namespace denies by default, and each release's NetworkPolicy admits and sends exactly the
calls its AuthorizationPolicies allow: the check fails naming what is missing or extra."""

from __future__ import annotations

from pathlib import Path

import yaml
from fleet.charts.check import check_charts
from fleet.charts.generated_files import write_generated_files

from .chart_edits import edit_service, replace_once

NETWORK_POLICY = '{{ include "platform-lib.service.networkPolicy" . }}\n'


def _problem_lines(root: Path) -> list[str]:
    return [str(problem) for problem in check_charts(root).problems]


def test_a_release_without_its_network_policy_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/platform-lib/templates/_service_release.tpl"
    replace_once(
        template,
        NETWORK_POLICY,
        '{{- if ne .Release.Name "ms-canvas" }}\n' + NETWORK_POLICY + "{{- end }}\n",
    )

    lines = _problem_lines(charts_copy)

    assert (
        "default/ms-canvas: Deployment knowledge/ms-canvas: spec.template.metadata.labels: no "
        "NetworkPolicy of its release selects its pods: the namespace's default deny cuts them "
        "off from everything"
    ) in lines, lines


def test_a_namespace_without_its_default_deny_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/mesh/templates/security.yaml"
    replace_once(template, "  podSelector: {}\n", "  podSelector:\n    matchLabels: {app: x}\n")

    lines = _problem_lines(charts_copy)

    assert (
        "default: namespace knowledge: no NetworkPolicy denies all traffic in and out by default "
        "(podSelector {}, policyTypes Ingress and Egress, no rules)"
    ) in lines, lines


def test_a_caller_whose_pods_may_not_go_out_to_the_callee_is_named(charts_copy: Path) -> None:
    values = charts_copy / "platform-charts/services/ms-chat/values.yaml"
    replace_once(values, "  - service: ms-vector\n    port: 50055\n", "")

    lines = _problem_lines(charts_copy)

    assert (
        "default/ms-vector: AuthorizationPolicy knowledge/ms-vector: spec.rules: lets ms-chat call "
        "ms-vector on port 50055, but no NetworkPolicy of ms-chat lets its pods out to "
        "ms-vector:50055"
    ) in lines, lines


def test_a_network_policy_admitting_a_pod_the_mesh_does_not_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/platform-lib/templates/_network_policy.tpl"
    replace_once(
        template,
        "{{- range $auth.callers -}}\n",
        '{{- range (append $auth.callers "ms-ml") -}}\n',
    )

    lines = _problem_lines(charts_copy)

    assert (
        # spec.ingress[0] admits the web app, which ms-canvas's AuthorizationPolicy lets call it
        "default/ms-canvas: NetworkPolicy knowledge/ms-canvas: spec.ingress[1]: admits ms-ml on "
        "port 50053, which no AuthorizationPolicy lets call ms-canvas there"
    ) in lines, lines


def test_a_release_with_no_database_kafka_or_callers_renders_without_those_peers(
    charts_copy: Path,
) -> None:
    edit_service(
        charts_copy,
        "ms_ml",
        database=None,
        browser=None,
        topics=None,
        callers=None,
        caller_methods=None,
    )
    write_generated_files(charts_copy)

    report = check_charts(charts_copy, update_golden=True)

    assert [str(problem) for problem in report.problems] == []
    golden = charts_copy / "platform-charts/golden/default/ms-ml.yaml"
    documents = [
        document for document in yaml.safe_load_all(golden.read_text(encoding="utf-8")) if document
    ]
    (authorization,) = [doc for doc in documents if doc["kind"] == "AuthorizationPolicy"]
    assert authorization["spec"]["rules"] == []
    policies = [document for document in documents if document["kind"] == "NetworkPolicy"]
    assert policies
    peers = [
        peer
        for policy in policies
        for rule in policy["spec"].get("egress", [])
        for peer in rule.get("to", [])
    ]
    labels = [peer.get("podSelector", {}).get("matchLabels", {}) for peer in peers]
    assert not any("cnpg.io/cluster" in found or "strimzi.io/cluster" in found for found in labels)
