"""A service can only use Kafka as far as its KafkaUser's ACLs allow.

Each Deployment names its Kafka user and the topics it produces, consumes and dead-letters to;
the user must exist and grant Write on what it produces, Read on what it consumes and Read on its
consumer group, or the service fails on its first event with an authorization error.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fleet.charts.problems import Problem
from fleet.charts.rendered import RenderedObject, RenderedScenario, containers

USERNAME = "KNOWLEDGE_KAFKA_SASL_USERNAME"
CONSUMER_GROUP = "KNOWLEDGE_KAFKA_CONSUMER_GROUP"
CONSUMES = "KNOWLEDGE_KAFKA_CONSUMES"
TOPIC_OPERATIONS = {
    "KNOWLEDGE_KAFKA_PRODUCES": "Write",
    "KNOWLEDGE_KAFKA_DEAD_LETTER_TOPIC": "Write",
    CONSUMES: "Read",
}


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
        for c_index, container in enumerate(containers(deployment)):
            problems += _container_grants(scenario, deployment, c_index, container)
    return problems


def _container_grants(
    scenario: RenderedScenario, deployment: RenderedObject, c_index: int, container: dict[str, Any]
) -> list[Problem]:
    env = {
        str(variable.get("name")): (index, str(variable.get("value", "")))
        for index, variable in enumerate(container.get("env") or [])
    }
    if USERNAME not in env:
        return []

    def field(variable: str) -> str:
        return f"spec.template.spec.containers[{c_index}].env[{env[variable][0]}]({variable})"

    username = env[USERNAME][1]
    user = scenario.find("KafkaUser", deployment.namespace, username)
    if user is None:
        message = f"KafkaUser {deployment.namespace}/{username} does not exist"
        return [scenario.problem(deployment, field(USERNAME), message)]
    grants = _grants(user)
    problems = []
    for variable, operation in TOPIC_OPERATIONS.items():
        for topic in filter(None, env.get(variable, (0, ""))[1].split(",")):
            if not any(grant.allows("topic", topic, operation) for grant in grants):
                message = f"KafkaUser {user.namespace}/{user.name} is not granted {operation} on topic '{topic}'"
                problems.append(scenario.problem(deployment, field(variable), message))
    group = env.get(CONSUMER_GROUP, (0, ""))[1]
    if env.get(CONSUMES, (0, ""))[1] and not any(g.allows("group", group, "Read") for g in grants):
        message = f"KafkaUser {user.namespace}/{user.name} is not granted Read on group '{group}'"
        problems.append(scenario.problem(deployment, field(CONSUMER_GROUP), message))
    return problems


def _grants(user: RenderedObject) -> list[Grant]:
    acls = (user.spec.get("authorization") or {}).get("acls") or []
    return [
        Grant(
            resource_type=str((acl.get("resource") or {}).get("type")),
            name=str((acl.get("resource") or {}).get("name", "")),
            prefix=(acl.get("resource") or {}).get("patternType") == "prefix",
            operations=frozenset(acl.get("operations") or []),
        )
        for acl in acls
        if acl.get("type", "allow") == "allow"
    ]
