"""Cross-references of the workload and Istio objects: every name they use must exist.

Route and rule hosts must be Services (with the port routed to), policy principals must be
ServiceAccounts, selectors must select pods, Service ports must carry names Istio understands.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from fleet.charts.problems import Problem
from fleet.charts.rendered import (
    PRINCIPAL,
    RenderedObject,
    RenderedScenario,
    containers,
    pod_labels,
    selects,
)
from fleet.charts.service_environment import JWKS_URL, container_environments

ISTIO_PORT_NAME = re.compile(
    r"^(grpc|grpc-web|http|http2|https|tcp|tls|udp|mongo|mysql|redis)(-.+)?$"
)
_GRPC_PATH = re.compile(r"^/([A-Za-z0-9_.]+)/(\*|[A-Za-z0-9_]+)$")


def mesh_reference_problems(scenario: RenderedScenario) -> list[Problem]:
    problems: list[Problem] = []
    for item in scenario.objects:
        check = _CHECKS.get(item.kind)
        if check is not None:
            problems.extend(check(scenario, item))
    return problems


def _service(scenario: RenderedScenario, item: RenderedObject) -> list[Problem]:
    if "selector" not in item.spec:
        return _address_only(scenario, item)
    problems = []
    selector = dict(item.spec.get("selector") or {})
    backing = [
        d
        for d in scenario.workloads()
        if d.namespace == item.namespace and selects(selector, pod_labels(d))
    ]
    if not backing:
        problems.append(
            scenario.problem(item, "spec.selector", "selects no Deployment's or StatefulSet's pods")
        )
    named_ports = {
        port.get("name") for d in backing for c in containers(d) for port in c.get("ports") or []
    }
    for index, port in enumerate(item.spec.get("ports") or []):
        name = str(port.get("name", ""))
        if not ISTIO_PORT_NAME.match(name):
            problems.append(
                scenario.problem(
                    item,
                    f"spec.ports[{index}].name",
                    f"'{name}' does not tell Istio the protocol (grpc, grpc-web, http, ...)",
                )
            )
        target = port.get("targetPort")
        if isinstance(target, str) and backing and target not in named_ports:
            problems.append(
                scenario.problem(
                    item,
                    f"spec.ports[{index}].targetPort",
                    f"no container port is named '{target}'",
                )
            )
    return problems


def _deployment(scenario: RenderedScenario, item: RenderedObject) -> list[Problem]:
    problems = []
    account = (item.spec.get("template") or {}).get("spec", {}).get("serviceAccountName")
    if account and not _account_exists(scenario, item.namespace, account):
        field = "spec.template.spec.serviceAccountName"
        message = f"ServiceAccount {item.namespace}/{account} does not exist"
        problems.append(scenario.problem(item, field, message))
    for environment in container_environments(item):
        for repeated in environment.duplicates():
            message = f"{repeated.name} is set twice; the later value silently wins"
            problems.append(scenario.problem(item, repeated.field, message))
        jwks = environment.find(JWKS_URL)
        if jwks is not None:
            problems.extend(_url_target(scenario, item, jwks.field, jwks.value))
    return problems


def _scaled(scenario: RenderedScenario, item: RenderedObject) -> list[Problem]:
    target = item.spec.get("scaleTargetRef") or {}
    if scenario.find(str(target.get("kind")), item.namespace, str(target.get("name"))) is None:
        return [
            scenario.problem(
                item,
                "spec.scaleTargetRef",
                f"{target.get('kind')} {item.namespace}/{target.get('name')} does not exist",
            )
        ]
    return []


def _disruption_budget(scenario: RenderedScenario, item: RenderedObject) -> list[Problem]:
    selector = dict((item.spec.get("selector") or {}).get("matchLabels") or {})
    if not any(
        selects(selector, pod_labels(d))
        for d in scenario.workloads()
        if d.namespace == item.namespace
    ):
        return [
            scenario.problem(
                item, "spec.selector.matchLabels", "selects no Deployment's or StatefulSet's pods"
            )
        ]
    return []


def _address_only(scenario: RenderedScenario, item: RenderedObject) -> list[Problem]:
    """A Service without a selector has no pods: it is only an address the sidecars route from
    (the web app's gRPC entrance), so a VirtualService of the mesh must route its host."""
    routed = any(
        not table.spec.get("gateways")
        and any(
            scenario.service_for_host(table.namespace, str(host)) is item
            for host in table.spec.get("hosts") or []
        )
        for table in scenario.of_kind("VirtualService")
    )
    if routed:
        return []
    message = "has no selector (no pods) and no VirtualService routes its address"
    return [scenario.problem(item, "spec.selector", message)]


def _virtual_service(scenario: RenderedScenario, item: RenderedObject) -> list[Problem]:
    problems = []
    gateways = list(item.spec.get("gateways") or [])
    for index, gateway in enumerate(gateways):
        if scenario.find("Gateway", item.namespace, gateway) is None:
            problems.append(
                scenario.problem(
                    item,
                    f"spec.gateways[{index}]",
                    f"Gateway {item.namespace}/{gateway} does not exist",
                )
            )
    if not gateways:
        for index, host in enumerate(item.spec.get("hosts") or []):
            if scenario.service_for_host(item.namespace, host) is None:
                problems.append(
                    scenario.problem(
                        item, f"spec.hosts[{index}]", f"no Service is named by host '{host}'"
                    )
                )
    for r_index, route in enumerate(item.spec.get("http") or []):
        for d_index, target in enumerate(route.get("route") or []):
            field = f"spec.http[{r_index}].route[{d_index}].destination"
            problems.extend(_destination(scenario, item, field, target.get("destination") or {}))
    return problems


def _destination(
    scenario: RenderedScenario, item: RenderedObject, field: str, destination: dict[str, Any]
) -> list[Problem]:
    host = str(destination.get("host", ""))
    service = scenario.service_for_host(item.namespace, host)
    if service is None:
        return [scenario.problem(item, f"{field}.host", f"no Service is named by host '{host}'")]
    port = destination.get("port")
    number = port.get("number") if isinstance(port, dict) else None
    ports = {port.get("port") for port in service.spec.get("ports") or []}
    if number is not None and number not in ports:
        return [
            scenario.problem(
                item,
                f"{field}.port.number",
                f"Service {service.namespace}/{service.name} has no port {number}",
            )
        ]
    return []


def _destination_rule(scenario: RenderedScenario, item: RenderedObject) -> list[Problem]:
    host = str(item.spec.get("host", ""))
    if scenario.service_for_host(item.namespace, host) is None:
        return [scenario.problem(item, "spec.host", f"no Service is named by host '{host}'")]
    return []


def _authorization_policy(scenario: RenderedScenario, item: RenderedObject) -> list[Problem]:
    problems = []
    selector = dict((item.spec.get("selector") or {}).get("matchLabels") or {})
    if (
        selector
        and not scenario.selects_external_workload(item.namespace, selector)
        and not any(
            selects(selector, pod_labels(d))
            for d in scenario.workloads()
            if d.namespace == item.namespace
        )
    ):
        problems.append(
            scenario.problem(
                item, "spec.selector.matchLabels", "selects no Deployment's or StatefulSet's pods"
            )
        )
    for r_index, rule in enumerate(item.spec.get("rules") or []):
        for s_index, source in enumerate(rule.get("from") or []):
            for p_index, principal in enumerate(
                (source.get("source") or {}).get("principals") or []
            ):
                field = f"spec.rules[{r_index}].from[{s_index}].source.principals[{p_index}]"
                problems.extend(_principal(scenario, item, field, str(principal)))
        for o_index, operation in enumerate(rule.get("to") or []):
            for p_index, path in enumerate((operation.get("operation") or {}).get("paths") or []):
                field = f"spec.rules[{r_index}].to[{o_index}].operation.paths[{p_index}]"
                match = _GRPC_PATH.match(str(path))
                if match and "." in match.group(1) and match.group(1) not in scenario.grpc_services:
                    problems.append(
                        scenario.problem(
                            item,
                            field,
                            f"gRPC service {match.group(1)} is declared by no .proto in the registry",
                        )
                    )
    return problems


def _principal(
    scenario: RenderedScenario, item: RenderedObject, field: str, principal: str
) -> list[Problem]:
    match = PRINCIPAL.match(principal)
    if match is None:
        return [
            scenario.problem(
                item, field, f"'{principal}' is not <trust domain>/ns/<namespace>/sa/<account>"
            )
        ]
    namespace, account = match.groups()
    if not _account_exists(scenario, namespace, account):
        return [
            scenario.problem(
                item, field, f"names ServiceAccount {namespace}/{account}, which does not exist"
            )
        ]
    return []


def _request_authentication(scenario: RenderedScenario, item: RenderedObject) -> list[Problem]:
    problems = []
    for index, rule in enumerate(item.spec.get("jwtRules") or []):
        field = f"spec.jwtRules[{index}].jwksUri"
        problems.extend(_url_target(scenario, item, field, str(rule.get("jwksUri", ""))))
    return problems


def _url_target(
    scenario: RenderedScenario, item: RenderedObject, field: str, url: str
) -> list[Problem]:
    """A URL into the mesh must name a Service and one of its ports."""
    parts = urlsplit(url)
    service = scenario.service_for_host(item.namespace, parts.hostname or "")
    if service is None:
        return [scenario.problem(item, field, f"no Service is named by host '{parts.hostname}'")]
    if parts.port not in {port.get("port") for port in service.spec.get("ports") or []}:
        message = f"Service {service.namespace}/{service.name} has no port {parts.port}"
        return [scenario.problem(item, field, message)]
    return []


def _account_exists(scenario: RenderedScenario, namespace: str, name: str) -> bool:
    return (namespace, name) in scenario.external_service_accounts or scenario.find(
        "ServiceAccount", namespace, name
    ) is not None


_CHECKS = {
    "Service": _service,
    "Deployment": _deployment,
    "StatefulSet": _deployment,
    "HorizontalPodAutoscaler": _scaled,
    "PodDisruptionBudget": _disruption_budget,
    "VirtualService": _virtual_service,
    "DestinationRule": _destination_rule,
    "AuthorizationPolicy": _authorization_policy,
    "RequestAuthentication": _request_authentication,
}
