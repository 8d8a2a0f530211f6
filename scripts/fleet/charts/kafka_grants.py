"""A service can only use Kafka as far as its KafkaUser's ACLs allow.

Each Deployment names its Kafka user and the topics it produces, consumes and dead-letters to;
the user must exist and grant Write on what it produces, Read on what it consumes and Read on its
consumer group, or the service fails on its first event with an authorization error.
"""

from __future__ import annotations

from dataclasses import dataclass

from fleet.charts.problems import Problem
from fleet.charts.rendered import RenderedObject, RenderedScenario
from fleet.charts.service_environment import (
    CONSUMED_TOPICS,
    CONSUMER_GROUP,
    DEAD_LETTER_TOPIC,
    KAFKA_USERNAME,
    PRODUCED_TOPICS,
    ContainerEnvironment,
    container_environments,
)

TOPIC_OPERATIONS = {PRODUCED_TOPICS: "Write", DEAD_LETTER_TOPIC: "Write", CONSUMED_TOPICS: "Read"}


@dataclass(frozen=True)
class Grant:
    """One ACL: operations on a literal name or a name prefix of one resource type."""

    resource_type: str
    name: str
    prefix: bool
    operations: frozenset[str]

    def allows(self, resource_type: str, name: str, operation: str) -> bool:
        matches = name.startswith(self.name) if self.prefix else name == self.name
        return self.resource_type == resource_type and matches and operation in self.operations


def kafka_grant_problems(scenario: RenderedScenario) -> list[Problem]:
    problems: list[Problem] = []
    for deployment in scenario.of_kind("Deployment"):
        for environment in container_environments(deployment):
            problems += _container_grants(scenario, deployment, environment)
    return problems


def _container_grants(
    scenario: RenderedScenario, deployment: RenderedObject, environment: ContainerEnvironment
) -> list[Problem]:
    username = environment.find(KAFKA_USERNAME)
    if username is None:
        return []
    user = scenario.find("KafkaUser", deployment.namespace, username.value)
    if user is None:
        message = f"KafkaUser {deployment.namespace}/{username.value} does not exist"
        return [scenario.problem(deployment, username.field, message)]
    grants = _grants(user)
    label = f"KafkaUser {user.namespace}/{user.name}"
    problems = []
    for suffix, operation in TOPIC_OPERATIONS.items():
        variable = environment.find(suffix)
        for topic in variable.topics() if variable is not None else []:
            if variable is not None and not _allowed(grants, "topic", topic, operation):
                message = f"{label} is not granted {operation} on topic '{topic}'"
                problems.append(scenario.problem(deployment, variable.field, message))
    group = environment.find(CONSUMER_GROUP)
    consumed = environment.find(CONSUMED_TOPICS)
    consumes = consumed is not None and bool(consumed.topics())
    if group is not None and consumes and not _allowed(grants, "group", group.value, "Read"):
        message = f"{label} is not granted Read on group '{group.value}'"
        problems.append(scenario.problem(deployment, group.field, message))
    return problems


def _allowed(grants: list[Grant], resource_type: str, name: str, operation: str) -> bool:
    return any(grant.allows(resource_type, name, operation) for grant in grants)


def _grants(user: RenderedObject) -> list[Grant]:
    grants = []
    for acl in (user.spec.get("authorization") or {}).get("acls") or []:
        resource = acl.get("resource") or {}
        if acl.get("type", "allow") != "allow":
            continue
        grants.append(
            Grant(
                resource_type=str(resource.get("type")),
                name=str(resource.get("name", "")),
                prefix=resource.get("patternType") == "prefix",
                operations=frozenset(acl.get("operations") or []),
            )
        )
    return grants
