"""Stores a service reaches by URL: the URL must name a Service of the render and one of its ports,
and the service's NetworkPolicy must let its pods out to that Service's pods there.

A URL into the release's own namespace is checked (ms-vector's Qdrant, the qdrant release's
Service; ms-activity's ClickHouse, the clickhouse release's); one into another namespace or out of the cluster is a store these charts do not render,
so only its NetworkPolicy peer (`network.egress.stores`) says where it is.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from fleet.charts.network_policies import lets_out
from fleet.charts.problems import Problem
from fleet.charts.rendered import RenderedObject, RenderedScenario, containers, pod_labels, selects
from fleet.charts.service_environment import (
    CLICKHOUSE_URL,
    QDRANT_URL,
    EnvVariable,
    container_environments,
)

STORE_URLS = (QDRANT_URL, CLICKHOUSE_URL)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def store_reference_problems(scenario: RenderedScenario) -> list[Problem]:
    problems = []
    for deployment in scenario.of_kind("Deployment"):
        for environment in container_environments(deployment):
            for suffix in STORE_URLS:
                variable = environment.find(suffix)
                if variable is not None and variable.value:
                    problems += _store_url(scenario, deployment, variable)
    return problems


def _store_url(
    scenario: RenderedScenario, deployment: RenderedObject, variable: EnvVariable
) -> list[Problem]:
    parts = urlsplit(variable.value)
    host = parts.hostname or ""
    named = _cluster_service(host, deployment.namespace)
    if named is None or named[0] != deployment.namespace:
        return []
    service = scenario.find("Service", *named)
    if service is None:
        message = f"{variable.value}: no Service is named by host '{host}'"
        return [scenario.problem(deployment, variable.field, message)]
    number = parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)
    port = next((p for p in service.spec.get("ports") or [] if p.get("port") == number), None)
    if port is None:
        message = (
            f"{variable.value}: Service {service.namespace}/{service.name} has no port {number}"
        )
        return [scenario.problem(deployment, variable.field, message)]
    problems = []
    for workload in _backing(scenario, service):
        target = _container_port(workload, port.get("targetPort", number))
        if lets_out(scenario, deployment, workload, target) is False:
            message = (
                f"{variable.value}: no NetworkPolicy of {deployment.name} lets its pods out to "
                f"{workload.name}:{target} (network.egress.stores)"
            )
            problems.append(scenario.problem(deployment, variable.field, message))
    return problems


def _cluster_service(host: str, own: str) -> tuple[str, str] | None:
    """(namespace, name) of the Service a cluster-local host names (`name`, `name.namespace`,
    with `.svc` or `.svc.cluster.local`); None for a host outside the cluster."""
    parts = host.removesuffix(".cluster.local").removesuffix(".svc").split(".")
    if len(parts) == 1:
        return own, parts[0]
    return (parts[1], parts[0]) if len(parts) == 2 else None


def _backing(scenario: RenderedScenario, service: RenderedObject) -> list[RenderedObject]:
    selector = dict(service.spec.get("selector") or {})
    return [
        workload
        for workload in scenario.workloads()
        if workload.namespace == service.namespace and selects(selector, pod_labels(workload))
    ]


def _container_port(workload: RenderedObject, target: object) -> int:
    """A Service's targetPort as the number the pods listen on (a name is looked up)."""
    if isinstance(target, int):
        return target
    for container in containers(workload):
        for port in container.get("ports") or []:
            if port.get("name") == target:
                return int(port["containerPort"])
    return 0
