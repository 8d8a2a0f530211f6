"""A service's database is the postgres release's Cluster of that name: the Secret its Deployment
reads its connection from is the one CloudNativePG writes for that Cluster (`<cluster>-app`), and
the database pods its NetworkPolicy lets it reach are that Cluster's (`cnpg.io/cluster`)."""

from __future__ import annotations

from typing import Any

from fleet.charts.problems import Problem
from fleet.charts.rendered import RenderedScenario, containers

OPERATOR_SECRET_SUFFIX = "-app"


def database_reference_problems(scenario: RenderedScenario) -> list[Problem]:
    clusters = {(found.namespace, found.name): found for found in scenario.of_kind("Cluster")}
    if not clusters:
        return []  # databases installed by hand (no postgres release in this render)
    problems: list[Problem] = []
    for deployment in scenario.of_kind("Deployment"):
        for index, container in enumerate(containers(deployment)):
            for position, variable in enumerate(container.get("env") or []):
                if variable.get("name") != "PGUSER":
                    continue
                secret = _secret_name(variable)
                cluster = secret.removesuffix(OPERATOR_SECRET_SUFFIX)
                if (deployment.namespace, cluster) in clusters:
                    continue
                field = f"spec.template.spec.containers[{index}].env[{position}].valueFrom"
                known = ", ".join(sorted(name for _, name in clusters)) or "none"
                message = (
                    f"reads its database from Secret {secret}, which no CloudNativePG Cluster of "
                    f"the postgres release writes (Cluster {cluster} does not exist; its Clusters: "
                    f"{known})"
                )
                problems.append(scenario.problem(deployment, field, message))
    return problems


def _secret_name(variable: dict[str, Any]) -> str:
    reference = ((variable.get("valueFrom") or {}).get("secretKeyRef")) or {}
    return str(reference.get("name", ""))
