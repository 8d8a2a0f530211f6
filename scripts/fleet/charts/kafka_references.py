"""Cross-references of the Kafka objects: clusters, topics, users and the services' wiring.

Every Strimzi object's `strimzi.io/cluster` label must name a Kafka cluster, every topic an ACL
grants must be a KafkaTopic, and every topic a Deployment is wired to produce, consume or park
dead letters on must be declared by a KafkaTopic, or the service fails at its first event.
"""

from __future__ import annotations

from fleet.charts.problems import Problem
from fleet.charts.rendered import RenderedObject, RenderedScenario
from fleet.charts.service_environment import (
    CONSUMED_TOPICS,
    DEAD_LETTER_TOPIC,
    PRODUCED_TOPICS,
    container_environments,
)

CLUSTER_LABEL = "strimzi.io/cluster"
STRIMZI_KINDS = ("KafkaTopic", "KafkaUser", "KafkaNodePool")
TOPIC_VARIABLES = (PRODUCED_TOPICS, CONSUMED_TOPICS, DEAD_LETTER_TOPIC)


def kafka_reference_problems(scenario: RenderedScenario) -> list[Problem]:
    problems: list[Problem] = []
    topics = {_topic_name(topic) for topic in scenario.of_kind("KafkaTopic")}
    for item in scenario.objects:
        if item.kind in STRIMZI_KINDS:
            problems.extend(_cluster_label(scenario, item))
        if item.kind == "KafkaUser":
            problems.extend(_acl_topics(scenario, item, topics))
        if item.kind == "Deployment":
            problems.extend(_wired_topics(scenario, item, topics))
    return problems


def _topic_name(topic: RenderedObject) -> str:
    return str(topic.spec.get("topicName") or topic.name)


def _cluster_label(scenario: RenderedScenario, item: RenderedObject) -> list[Problem]:
    field = f"metadata.labels[{CLUSTER_LABEL}]"
    cluster = item.labels.get(CLUSTER_LABEL)
    if cluster is None:
        return [scenario.problem(item, field, "missing: Strimzi ignores objects without it")]
    if scenario.find("Kafka", item.namespace, cluster) is None:
        return [scenario.problem(item, field, f"Kafka {item.namespace}/{cluster} does not exist")]
    return []


def _acl_topics(
    scenario: RenderedScenario, item: RenderedObject, topics: set[str]
) -> list[Problem]:
    problems = []
    acls = (item.spec.get("authorization") or {}).get("acls") or []
    for index, acl in enumerate(acls):
        resource = acl.get("resource") or {}
        if resource.get("type") == "topic" and resource.get("patternType", "literal") == "literal":
            name = resource.get("name")
            if name not in topics:
                field = f"spec.authorization.acls[{index}].resource.name"
                problems.append(
                    scenario.problem(item, field, f"topic '{name}' is declared by no KafkaTopic")
                )
    return problems


def _wired_topics(
    scenario: RenderedScenario, item: RenderedObject, topics: set[str]
) -> list[Problem]:
    problems = []
    for environment in container_environments(item):
        for suffix in TOPIC_VARIABLES:
            variable = environment.find(suffix)
            if variable is None:
                continue
            for topic in variable.topics():
                if topic not in topics:
                    message = f"topic '{topic}' is declared by no KafkaTopic"
                    problems.append(scenario.problem(item, variable.field, message))
    return problems
