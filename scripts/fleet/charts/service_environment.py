"""The environment variables the charts give a service, read back for the cross-checks.

Names carry the service's settings prefix (MS_VECTOR_CONSUMED_TOPICS), so they are found by suffix.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from fleet.charts.rendered import RenderedObject, containers

PRODUCED_TOPICS = "_PRODUCED_TOPICS"
CONSUMED_TOPICS = "_CONSUMED_TOPICS"
DEAD_LETTER_TOPIC = "_KAFKA_DEAD_LETTER_TOPIC"
KAFKA_USERNAME = "_KAFKA_SASL_USERNAME"
CONSUMER_GROUP = "_KAFKA_CONSUMER_GROUP"
JWKS_URL = "_AUTH_JWKS_URL"
QDRANT_URL = "_QDRANT_URL"
CLICKHOUSE_URL = "_CLICKHOUSE_URL"


@dataclass(frozen=True)
class EnvVariable:
    """One variable of a container (value empty when it comes from a Secret), with its field path."""

    field: str
    name: str
    value: str

    def topics(self) -> list[str]:
        """The topic names it lists: a JSON array (settings tuples) or one name."""
        if self.value.startswith("["):
            parsed: Any = json.loads(self.value)
            return [str(topic) for topic in parsed]
        return [self.value] if self.value else []


class ContainerEnvironment:
    """The variables of one container of a Deployment."""

    def __init__(self, container_field: str, container: dict[str, Any]) -> None:
        self._variables = [
            EnvVariable(
                f"{container_field}.env[{index}]({variable.get('name')})",
                str(variable.get("name", "")),
                str(variable.get("value", "")),
            )
            for index, variable in enumerate(container.get("env") or [])
        ]

    def duplicates(self) -> list[EnvVariable]:
        """Variables whose name an earlier one already set (the later silently wins)."""
        seen: set[str] = set()
        repeated = []
        for variable in self._variables:
            if variable.name in seen:
                repeated.append(variable)
            seen.add(variable.name)
        return repeated

    def find(self, suffix: str) -> EnvVariable | None:
        return next((v for v in self._variables if v.name.endswith(suffix)), None)


def container_environments(deployment: RenderedObject) -> list[ContainerEnvironment]:
    """Each container's environment, in order."""
    return [
        ContainerEnvironment(f"spec.template.spec.containers[{index}]", container)
        for index, container in enumerate(containers(deployment))
    ]
