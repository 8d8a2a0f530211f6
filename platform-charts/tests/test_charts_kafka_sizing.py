"""Kafka's node pools hold what its configuration asks for, and the single-node scenario is one node."""

from __future__ import annotations

from pathlib import Path

import yaml
from fleet.charts.check import check_charts

from .chart_edits import REPO_ROOT, replace_once

SMALL_NODE_MEMORY_MI = 4 * 1024
"""What the single-node scenario may request in all (a 8 GiB test machine keeps half for the rest)."""


def _problem_lines(root: Path) -> list[str]:
    return [str(problem) for problem in check_charts(root).problems]


def _memory_mi(quantity: str) -> int:
    return (
        int(quantity.removesuffix("Gi")) * 1024
        if quantity.endswith("Gi")
        else int(quantity.removesuffix("Mi"))
    )


def test_three_way_replication_on_one_broker_is_named(charts_copy: Path) -> None:
    scenario = charts_copy / "platform-charts/scenarios/single-node.yaml"
    replace_once(
        scenario,
        "      replicationFactor: 1\n      minInSyncReplicas: 1\n",
        "      replicationFactor: 3\n      minInSyncReplicas: 1\n",
    )

    lines = _problem_lines(charts_copy)

    assert (
        "single-node/kafka: Kafka knowledge/knowledge: spec.kafka.config.default.replication.factor: "
        "3 replicas need 3 brokers; the node pools have 1"
    ) in lines, lines
    assert (
        "single-node/kafka: KafkaTopic knowledge/auth.users.v1: spec.replicas: "
        "3 replicas need 3 brokers; the node pools have 1"
    ) in lines, lines


def test_a_cluster_without_controllers_is_named(charts_copy: Path) -> None:
    scenario = charts_copy / "platform-charts/scenarios/single-node.yaml"
    replace_once(scenario, "roles: [broker, controller]", "roles: [broker]")

    lines = _problem_lines(charts_copy)

    assert (
        "single-node/kafka: Kafka knowledge/knowledge: spec: no node pool has the controller "
        "role: KRaft has no quorum to start with"
    ) in lines, lines


def test_the_single_node_scenario_is_one_combined_kafka_node_and_small_requests() -> None:
    golden = REPO_ROOT / "platform-charts/golden/single-node"
    objects = [
        document
        for path in sorted(golden.glob("*.yaml"))
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8"))
        if document
    ]

    pools = [o["spec"] for o in objects if o["kind"] == "KafkaNodePool"]
    assert [(p["replicas"], sorted(p["roles"])) for p in pools] == [(1, ["broker", "controller"])]
    requested = sum(_memory_mi(p["resources"]["requests"]["memory"]) for p in pools)
    for deployment in (o for o in objects if o["kind"] == "Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            requested += _memory_mi(container["resources"]["requests"]["memory"])
    assert requested <= SMALL_NODE_MEMORY_MI
