"""ms-vector's Qdrant: the qdrant release renders it in every scenario, ms-vector's release points
at its Service, its API key only ever comes from a Secret, and only ms-vector (and its own peers)
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
PEERS = {"default": 3, "production": 3, "single-node": 1}


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


def test_every_scenario_has_its_golden_render_of_the_qdrant_release() -> None:
    assert set(SCENARIOS) == set(PEERS)
    for scenario in SCENARIOS:
        assert (REPO_ROOT / "platform-charts/golden" / scenario / "qdrant.yaml").is_file()


@pytest.mark.parametrize("scenario", sorted(PEERS))
def test_ms_vector_points_at_the_service_of_its_qdrant(scenario: str) -> None:
    namespace = SCENARIOS[scenario].namespace
    qdrant = _objects(REPO_ROOT, scenario, "qdrant")
    service = _one(qdrant, "Service", "ms-vector-qdrant")
    peers = _one(qdrant, "StatefulSet", "ms-vector-qdrant")
    deployment = _one(_objects(REPO_ROOT, scenario, "ms-vector"), "Deployment", "ms-vector")

    url = _env(deployment)["MS_VECTOR_QDRANT_URL"]["value"]
    http = next(port for port in service["spec"]["ports"] if port["name"] == "http")
    assert url == f"http://ms-vector-qdrant.{namespace}.svc.cluster.local:{http['port']}"
    assert service["metadata"]["namespace"] == namespace
    pod_labels = peers["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert peers["spec"]["replicas"] == PEERS[scenario]


@pytest.mark.parametrize("scenario", sorted(PEERS))
def test_the_api_key_comes_from_the_secret_ms_vector_reads_it_from(scenario: str) -> None:
    peers = _one(_objects(REPO_ROOT, scenario, "qdrant"), "StatefulSet", "ms-vector-qdrant")
    deployment = _one(_objects(REPO_ROOT, scenario, "ms-vector"), "Deployment", "ms-vector")

    served = _env(peers)["QDRANT__SERVICE__API_KEY"]
    used = _env(deployment)["MS_VECTOR_QDRANT_API_KEY"]
    assert "value" not in served and "value" not in used
    secret = {"name": "ms-vector-qdrant", "key": "api-key"}
    assert served["valueFrom"] == used["valueFrom"] == {"secretKeyRef": secret}


def test_a_literal_api_key_in_values_is_refused(charts_copy: Path) -> None:
    scenario = charts_copy / "platform-charts/scenarios/default.yaml"
    scenario.write_text(
        scenario.read_text(encoding="utf-8") + "charts:\n  qdrant:\n    apiKey: hunter2\n",
        encoding="utf-8",
    )

    lines = _problem_lines(charts_copy)

    assert (
        "default/qdrant: helm template: values.apiKey: unknown key (not in values.schema.json)"
    ) in lines, lines


def test_only_ms_vector_and_the_peers_themselves_may_connect() -> None:
    qdrant = _objects(REPO_ROOT, "production", "qdrant")
    authorization = _one(qdrant, "AuthorizationPolicy", "ms-vector-qdrant")
    network = _one(qdrant, "NetworkPolicy", "ms-vector-qdrant")

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
        ("cluster.local/ns/knowledge-prod/sa/ms-vector", "6333"),
        ("cluster.local/ns/knowledge-prod/sa/ms-vector", "6334"),
        ("cluster.local/ns/knowledge-prod/sa/ms-vector-qdrant", "6333"),
        ("cluster.local/ns/knowledge-prod/sa/ms-vector-qdrant", "6335"),
    }
    admitted = {
        (peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"], port["port"])
        for rule in network["spec"]["ingress"]
        for peer in rule["from"]
        for port in rule["ports"]
    }
    assert admitted == {
        ("ms-vector", 6333),
        ("ms-vector", 6334),
        ("ms-vector-qdrant", 6333),
        ("ms-vector-qdrant", 6335),
    }
    assert all(
        "namespaceSelector" not in peer for r in network["spec"]["ingress"] for peer in r["from"]
    )


def test_peers_run_unprivileged_with_only_their_volumes_writable() -> None:
    peers = _one(_objects(REPO_ROOT, "default", "qdrant"), "StatefulSet", "ms-vector-qdrant")
    pod = peers["spec"]["template"]["spec"]
    [container] = pod["containers"]

    assert container["image"] == "docker.io/qdrant/qdrant:v1.20.0"
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    mounts = {mount["mountPath"]: mount for mount in container["volumeMounts"]}
    claims = {claim["metadata"]["name"] for claim in peers["spec"]["volumeClaimTemplates"]}
    assert claims == {"storage", "snapshots"}
    for path, volume in (("/qdrant/storage", "storage"), ("/qdrant/snapshots", "snapshots")):
        assert mounts[path]["name"] == volume and not mounts[path].get("readOnly")
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert set(container["resources"]) == {"requests", "limits"}
    assert _env(peers)["QDRANT__CLUSTER__ENABLED"]["value"] == "true"
    budget = _one(
        _objects(REPO_ROOT, "default", "qdrant"), "PodDisruptionBudget", "ms-vector-qdrant"
    )
    assert budget["spec"]["maxUnavailable"] == 1


def test_peers_join_the_first_one_by_their_stable_names() -> None:
    qdrant = _objects(REPO_ROOT, "production", "qdrant")
    peers = _one(qdrant, "StatefulSet", "ms-vector-qdrant")
    headless = _one(qdrant, "Service", peers["spec"]["serviceName"])
    [container] = peers["spec"]["template"]["spec"]["containers"]
    [script] = container["args"]

    assert headless["spec"]["clusterIP"] == "None"
    assert headless["spec"]["publishNotReadyAddresses"] is True
    assert peers["spec"]["podManagementPolicy"] == "Parallel"
    first = "ms-vector-qdrant-0.ms-vector-qdrant-peers.knowledge-prod.svc.cluster.local:6335"
    assert 'peer() { echo "http://ms-vector-qdrant-$1.ms-vector-qdrant-peers' in script
    assert f"http://{first}" == _peer_uri(script, "0")
    assert '--bootstrap "$(peer 0)" --uri "$(peer "$ordinal")"' in script
    assert _env(peers)["QDRANT__STORAGE__COLLECTION__REPLICATION_FACTOR"]["value"] == "2"


def _peer_uri(script: str, ordinal: str) -> str:
    template = script.split('peer() { echo "', 1)[1].split('"; }', 1)[0]
    return template.replace("$1", ordinal)


def test_more_shard_copies_than_peers_are_refused(charts_copy: Path) -> None:
    scenario = charts_copy / "platform-charts/scenarios/single-node.yaml"
    replace_once(
        scenario,
        "      replicationFactor: 1\n      storageSize: 5Gi\n",
        "      replicationFactor: 2\n      storageSize: 5Gi\n",
    )

    lines = _problem_lines(charts_copy)

    assert any(
        line.startswith("single-node/qdrant: helm template:")
        and "cluster.replicationFactor 2 exceeds cluster.replicas 1" in line
        for line in lines
    ), lines


def test_a_qdrant_without_its_network_policy_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/qdrant/templates/security.yaml"
    text = template.read_text(encoding="utf-8")
    template.write_text(
        text[: text.index("---\napiVersion: networking.k8s.io/v1")] + "{{- end }}\n"
    )

    lines = _problem_lines(charts_copy)

    assert (
        "default/qdrant: StatefulSet knowledge/ms-vector-qdrant: spec.template.metadata.labels: no "
        "NetworkPolicy of its release selects its pods: the namespace's default deny cuts them "
        "off from everything"
    ) in lines, lines


def test_a_qdrant_admitting_another_service_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/qdrant/templates/security.yaml"
    replace_once(
        template,
        '(dict "app.kubernetes.io/name" $instance.client)',
        '(dict "app.kubernetes.io/name" "ms-chat")',
    )

    lines = _problem_lines(charts_copy)

    assert (
        "default/qdrant: NetworkPolicy knowledge/ms-vector-qdrant: spec.ingress[0]: admits "
        "ms-chat on port 6333, which no AuthorizationPolicy lets call ms-vector-qdrant there"
    ) in lines, lines


def test_ms_vector_without_its_way_out_to_qdrant_is_named(charts_copy: Path) -> None:
    values = charts_copy / "platform-charts/services/ms-vector/values.yaml"
    replace_once(
        values,
        "    - podLabels:\n        app.kubernetes.io/name: ms-vector-qdrant\n      port: 6333\n",
        "",
    )

    lines = _problem_lines(charts_copy)

    assert (
        "default/qdrant: AuthorizationPolicy knowledge/ms-vector-qdrant: spec.rules: lets "
        "ms-vector call ms-vector-qdrant on port 6333, but no NetworkPolicy of ms-vector lets "
        "its pods out to ms-vector-qdrant:6333"
    ) in lines, lines
    assert any(
        line.startswith("default/ms-vector: Deployment knowledge/ms-vector: ")
        and "(MS_VECTOR_QDRANT_URL): http://ms-vector-qdrant.knowledge.svc.cluster.local:6333: "
        "no NetworkPolicy of ms-vector lets its pods out to ms-vector-qdrant:6333"
        in line
        for line in lines
    ), lines


def test_a_url_naming_no_service_of_the_namespace_is_named(charts_copy: Path) -> None:
    values = charts_copy / "platform-charts/services/ms-vector/values.yaml"
    replace_once(values, "    service: ms-vector-qdrant\n", "    service: qdrant\n")

    lines = _problem_lines(charts_copy)

    assert any(
        line.startswith("default/ms-vector: Deployment knowledge/ms-vector: ")
        and "(MS_VECTOR_QDRANT_URL): http://qdrant.knowledge.svc.cluster.local:6333: no Service "
        "is named by host 'qdrant.knowledge.svc.cluster.local'"
        in line
        for line in lines
    ), lines


def test_a_url_set_for_another_qdrant_still_wins(charts_copy: Path) -> None:
    scenario = charts_copy / "platform-charts/scenarios/production.yaml"
    replace_once(
        scenario,
        "  ms-vector:\n",
        "  ms-vector:\n    stores:\n      qdrant:\n"
        "        url: https://qdrant.vectors.svc.cluster.local:6333\n",
    )

    report = check_charts(charts_copy, update_golden=True)

    assert [str(p) for p in report.problems] == []
    deployment = _one(_objects(charts_copy, "production", "ms-vector"), "Deployment", "ms-vector")
    assert (
        _env(deployment)["MS_VECTOR_QDRANT_URL"]["value"]
        == "https://qdrant.vectors.svc.cluster.local:6333"
    )


def test_a_typo_in_a_qdrant_object_fails_the_pinned_schema(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/qdrant/templates/services.yaml"
    replace_once(template, "publishNotReadyAddresses: true", "publishNotReadyAddress: true")

    lines = _problem_lines(charts_copy)

    assert (
        "default/qdrant: Service knowledge/ms-vector-qdrant-peers: spec.publishNotReadyAddress: "
        "unknown field (not in the pinned schema)"
    ) in lines, lines
