"""Browser routes must be let through the namespace's default deny.

Every workload a gateway-bound VirtualService routes to must have an ALLOW AuthorizationPolicy
naming the ingress gateway's identity; otherwise every browser call to it is answered
`RBAC: access denied` (a service marked `browser` in repos.yaml without `ingress` in its callers).
"""

from __future__ import annotations

from fleet.charts.problems import Problem
from fleet.charts.rendered import (
    PRINCIPAL,
    RenderedObject,
    RenderedScenario,
    pod_labels,
    selects,
)


def ingress_reachability_problems(scenario: RenderedScenario) -> list[Problem]:
    problems = []
    for route_table in scenario.of_kind("VirtualService"):
        if not route_table.spec.get("gateways"):
            continue
        for r_index, route in enumerate(route_table.spec.get("http") or []):
            for d_index, target in enumerate(route.get("route") or []):
                host = str((target.get("destination") or {}).get("host", ""))
                service = scenario.service_for_host(route_table.namespace, host)
                if service is None or _admits_ingress(scenario, service):
                    continue
                field = f"spec.http[{r_index}].route[{d_index}].destination.host"
                message = (
                    f"no AuthorizationPolicy lets the ingress gateway reach the pods of "
                    f"Service {service.namespace}/{service.name}"
                )
                problems.append(scenario.problem(route_table, field, message))
    return problems


def _admits_ingress(scenario: RenderedScenario, service: RenderedObject) -> bool:
    selector = dict(service.spec.get("selector") or {})
    workloads = [
        pod_labels(deployment)
        for deployment in scenario.workloads()
        if deployment.namespace == service.namespace and selects(selector, pod_labels(deployment))
    ]
    return any(
        _allows_ingress(scenario, policy)
        for labels in workloads
        for policy in scenario.of_kind("AuthorizationPolicy")
        if policy.namespace == service.namespace and _applies_to(policy, labels)
    )


def _applies_to(policy: RenderedObject, labels: dict[str, str]) -> bool:
    selector = dict((policy.spec.get("selector") or {}).get("matchLabels") or {})
    return not selector or selects(selector, labels)


def _allows_ingress(scenario: RenderedScenario, policy: RenderedObject) -> bool:
    if policy.spec.get("action", "ALLOW") != "ALLOW":
        return False
    for rule in policy.spec.get("rules") or []:
        for source in rule.get("from") or []:
            for principal in (source.get("source") or {}).get("principals") or []:
                match = PRINCIPAL.match(str(principal))
                if match and (match.group(1), match.group(2)) in scenario.external_service_accounts:
                    return True
    return False
