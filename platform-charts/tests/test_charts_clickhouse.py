"""ms-activity's ClickHouse: the clickhouse release renders it in every scenario, ms-activity's
release points at its Service, the password only ever comes from a Secret, and only ms-activity
may connect; the check names each way of getting that wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from fleet.charts.check import check_charts
from fleet.charts.scenarios import load_scenarios

from .chart_edits import REPO_ROOT, replace_once

SCENARIOS = {scenario.name: scenario for scenario in load_scenarios(REPO_ROOT)}
SERVERS = {"default": 1, "production": 1, "single-node": 1}
"""One server everywhere: a replicated ClickHouse (Keeper, ReplicatedMergeTree) is not set up."""


def _objects(root: Path, scenario: str, chart: str) -> list[dict[str, Any]]:
    golden = root / "platform-charts/golden" / scenario / f"{chart}.yaml"
    return [d for d in yaml.safe_load_all(golden.read_text(encoding="utf-8")) if d]


def _one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    [found] = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def _env(workload: dict[str, Any]) -> dict[str, dict[str, Any]]:
    [container] = workload["spec"]["template"]["spec"]["containers"]
    return {variable["name"]: variable for variable in container["env"]}


def _problem_lines(root: Path) -> list[str]:
    return [str(problem) for problem in check_charts(root).problems]


def test_every_scenario_has_its_golden_render_of_the_clickhouse_release() -> None:
    assert set(SCENARIOS) == set(SERVERS)
    for scenario in SCENARIOS:
        assert (REPO_ROOT / "platform-charts/golden" / scenario / "clickhouse.yaml").is_file()


@pytest.mark.parametrize("scenario", sorted(SERVERS))
def test_ms_activity_points_at_the_service_of_its_clickhouse(scenario: str) -> None:
    namespace = SCENARIOS[scenario].namespace
    clickhouse = _objects(REPO_ROOT, scenario, "clickhouse")
    service = _one(clickhouse, "Service", "ms-activity-clickhouse")
    server = _one(clickhouse, "StatefulSet", "ms-activity-clickhouse")
    deployment = _one(_objects(REPO_ROOT, scenario, "ms-activity"), "Deployment", "ms-activity")

    env = _env(deployment)
    http = next(port for port in service["spec"]["ports"] if port["name"] == "http")
    assert http["port"] == 8123
    assert env["MS_ACTIVITY_CLICKHOUSE_URL"]["value"] == (
        f"http://ms-activity-clickhouse.{namespace}.svc.cluster.local:8123"
    )
    assert {port["port"] for port in service["spec"]["ports"]} == {8123, 9000}
    assert service["metadata"]["namespace"] == namespace
    pod_labels = server["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert server["spec"]["replicas"] == SERVERS[scenario]
    served = _env(server)
    assert env["MS_ACTIVITY_CLICKHOUSE_USERNAME"]["value"] == served["CLICKHOUSE_USER"]["value"]
    assert env["MS_ACTIVITY_CLICKHOUSE_DATABASE"]["value"] == served["CLICKHOUSE_DB"]["value"]


@pytest.mark.parametrize("scenario", sorted(SERVERS))
def test_the_password_comes_from_the_secret_ms_activity_reads_it_from(scenario: str) -> None:
    server = _one(
        _objects(REPO_ROOT, scenario, "clickhouse"), "StatefulSet", "ms-activity-clickhouse"
    )
    deployment = _one(_objects(REPO_ROOT, scenario, "ms-activity"), "Deployment", "ms-activity")

    served = _env(server)["CLICKHOUSE_PASSWORD"]
    used = _env(deployment)["MS_ACTIVITY_CLICKHOUSE_PASSWORD"]
    assert "value" not in served and "value" not in used
    secret = {"name": "ms-activity-clickhouse", "key": "password"}
    assert served["valueFrom"] == used["valueFrom"] == {"secretKeyRef": secret}


def test_a_literal_password_in_values_is_refused(charts_copy: Path) -> None:
    scenario = charts_copy / "platform-charts/scenarios/default.yaml"
    scenario.write_text(
        scenario.read_text(encoding="utf-8") + "charts:\n  clickhouse:\n    password: hunter2\n",
        encoding="utf-8",
    )

    lines = _problem_lines(charts_copy)

    assert (
        "default/clickhouse: helm template: values.password: unknown key "
        "(not in values.schema.json)"
    ) in lines, lines


def test_only_ms_activity_may_connect() -> None:
    clickhouse = _objects(REPO_ROOT, "production", "clickhouse")
    authorization = _one(clickhouse, "AuthorizationPolicy", "ms-activity-clickhouse")
    network = _one(clickhouse, "NetworkPolicy", "ms-activity-clickhouse")

    allowed = {
        (principal, port)
        for rule in authorization["spec"]["rules"]
        for source in rule["from"]
        for principal in source["source"]["principals"]
        for target in rule["to"]
        for port in target["operation"]["ports"]
    }
    assert authorization["spec"]["action"] == "ALLOW"
    assert allowed == {
        ("cluster.local/ns/knowledge-prod/sa/ms-activity", "8123"),
        ("cluster.local/ns/knowledge-prod/sa/ms-activity", "9000"),
    }
    admitted = {
        (peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"], port["port"])
        for rule in network["spec"]["ingress"]
        for peer in rule["from"]
        for port in rule["ports"]
    }
    assert admitted == {("ms-activity", 8123), ("ms-activity", 9000)}
    assert all(
        "namespaceSelector" not in peer for r in network["spec"]["ingress"] for peer in r["from"]
    )


def test_the_server_runs_unprivileged_with_only_its_volumes_writable() -> None:
    clickhouse = _objects(REPO_ROOT, "default", "clickhouse")
    server = _one(clickhouse, "StatefulSet", "ms-activity-clickhouse")
    pod = server["spec"]["template"]["spec"]
    [container] = pod["containers"]

    assert container["image"] == "docker.io/clickhouse/clickhouse-server:25.8"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    mounts = {mount["mountPath"]: mount for mount in container["volumeMounts"]}
    [claim] = server["spec"]["volumeClaimTemplates"]
    assert claim["metadata"]["name"] == mounts["/var/lib/clickhouse"]["name"] == "data"
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/ping", "port": "http"}
    assert set(container["resources"]) == {"requests", "limits"}
    budget = _one(clickhouse, "PodDisruptionBudget", "ms-activity-clickhouse")
    assert budget["spec"]["maxUnavailable"] == 1


def test_a_second_server_is_refused_until_clickhouse_is_replicated(charts_copy: Path) -> None:
    scenario = charts_copy / "platform-charts/scenarios/single-node.yaml"
    replace_once(scenario, "    server:\n      replicas: 1\n", "    server:\n      replicas: 2\n")

    lines = _problem_lines(charts_copy)

    assert (
        "single-node/clickhouse: helm template: values.server.replicas: value must be 1"
    ) in lines, lines


def test_a_clickhouse_admitting_another_service_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/clickhouse/templates/security.yaml"
    replace_once(
        template,
        '(dict "app.kubernetes.io/name" $instance.client)',
        '(dict "app.kubernetes.io/name" "ms-chat")',
    )

    lines = _problem_lines(charts_copy)

    assert (
        "default/clickhouse: NetworkPolicy knowledge/ms-activity-clickhouse: spec.ingress[0]: "
        "admits ms-chat on port 8123, which no AuthorizationPolicy lets call "
        "ms-activity-clickhouse there"
    ) in lines, lines


def test_ms_activity_without_its_way_out_to_clickhouse_is_named(charts_copy: Path) -> None:
    values = charts_copy / "platform-charts/services/ms-activity/values.yaml"
    replace_once(
        values,
        "    - podLabels:\n        app.kubernetes.io/name: ms-activity-clickhouse\n"
        "      port: 8123\n",
        "",
    )

    lines = _problem_lines(charts_copy)

    assert any(
        line.startswith("default/ms-activity: Deployment knowledge/ms-activity: ")
        and "(MS_ACTIVITY_CLICKHOUSE_URL): "
        "http://ms-activity-clickhouse.knowledge.svc.cluster.local:8123: "
        "no NetworkPolicy of ms-activity lets its pods out to ms-activity-clickhouse:8123"
        in line
        for line in lines
    ), lines
