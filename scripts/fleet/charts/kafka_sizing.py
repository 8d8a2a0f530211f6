"""A Kafka cluster's node pools can hold what its configuration asks for.

KRaft needs a controller quorum, and a topic replicated R times needs R brokers: with fewer, Strimzi
creates the cluster but every topic stays under-replicated and producers waiting for min.insync
acknowledgements fail (a single-node cluster rendered with three-way replication never serves).
"""

from __future__ import annotations

from fleet.charts.problems import Problem
from fleet.charts.rendered import RenderedObject, RenderedScenario

CLUSTER_LABEL = "strimzi.io/cluster"


def kafka_sizing_problems(scenario: RenderedScenario) -> list[Problem]:
    problems: list[Problem] = []
    for kafka in scenario.of_kind("Kafka"):
        pools = [
            pool
            for pool in scenario.of_kind("KafkaNodePool")
            if pool.namespace == kafka.namespace and pool.labels.get(CLUSTER_LABEL) == kafka.name
        ]
        brokers = _nodes(pools, "broker")
        if _nodes(pools, "controller") == 0:
            message = "no node pool has the controller role: KRaft has no quorum to start with"
            problems.append(scenario.problem(kafka, "spec", message))
        config = dict((kafka.spec.get("kafka") or {}).get("config") or {})
        for key in ("default.replication.factor", "offsets.topic.replication.factor"):
            wanted = int(config.get(key, 1))
            if wanted > brokers:
                message = f"{wanted} replicas need {wanted} brokers; the node pools have {brokers}"
                problems.append(scenario.problem(kafka, f"spec.kafka.config.{key}", message))
        for topic in scenario.of_kind("KafkaTopic"):
            if topic.labels.get(CLUSTER_LABEL) == kafka.name:
                problems += _topic_problems(scenario, topic, brokers)
    return problems


def _topic_problems(
    scenario: RenderedScenario, topic: RenderedObject, brokers: int
) -> list[Problem]:
    replicas = int(topic.spec.get("replicas", 1))
    in_sync = int((topic.spec.get("config") or {}).get("min.insync.replicas", 1))
    problems = []
    if replicas > brokers:
        message = f"{replicas} replicas need {replicas} brokers; the node pools have {brokers}"
        problems.append(scenario.problem(topic, "spec.replicas", message))
    if in_sync > replicas:
        message = f"{in_sync} in-sync replicas of {replicas}: no write could ever be acknowledged"
        problems.append(scenario.problem(topic, "spec.config.min.insync.replicas", message))
    return problems


def _nodes(pools: list[RenderedObject], role: str) -> int:
    return sum(
        int(pool.spec.get("replicas", 0))
        for pool in pools
        if role in (pool.spec.get("roles") or [])
    )
