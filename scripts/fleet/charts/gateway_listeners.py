"""Gateway EnvoyFilters patch a listener the Gateway has, and objects in the gateway's namespace
carry the environment in their name.

Envoy names a gateway listener by the port its pods listen on (the gateway Service's targetPort):
a filter matching any other port matches nothing and fails silently, so browsers get gRPC-web
requests answered 415 by the services. And two environments on one cluster share the gateway's
namespace: a fixed name there makes the second `helm install` fail Helm's ownership check.
"""

from __future__ import annotations

from typing import Any

from fleet.charts.problems import Problem
from fleet.charts.rendered import RenderedObject, RenderedScenario


def gateway_listener_problems(scenario: RenderedScenario) -> list[Problem]:
    problems: list[Problem] = []
    for envoy_filter in scenario.of_kind("EnvoyFilter"):
        selector = dict((envoy_filter.spec.get("workloadSelector") or {}).get("labels") or {})
        listening = _listener_ports(scenario, selector)
        for index, patch in enumerate(envoy_filter.spec.get("configPatches") or []):
            match: dict[str, Any] = patch.get("match") or {}
            port = (match.get("listener") or {}).get("portNumber")
            if match.get("context") != "GATEWAY" or port is None or port in listening:
                continue
            shown = ", ".join(str(p) for p in sorted(listening)) or "none"
            field = f"spec.configPatches[{index}].match.listener.portNumber"
            message = (
                f"{port} is no port the gateway {_labels(selector)} listens on for HTTPS "
                f"(its Gateway's listeners: {shown}): the patch would match nothing"
            )
            problems.append(scenario.problem(envoy_filter, field, message))
    problems += _shared_namespace_names(scenario)
    return problems


def _listener_ports(scenario: RenderedScenario, selector: dict[str, str]) -> set[int]:
    """The ports the selected gateway's pods listen on for the HTTPS servers of its Gateways."""
    ports: set[int] = set()
    for gateway in scenario.of_kind("Gateway"):
        if dict(gateway.spec.get("selector") or {}) != selector:
            continue
        for server in gateway.spec.get("servers") or []:
            port = server.get("port") or {}
            if port.get("protocol") == "HTTPS":
                number = int(port["number"])
                ports.add(scenario.gateway_target_ports.get(number, number))
    return ports


def _shared_namespace_names(scenario: RenderedScenario) -> list[Problem]:
    problems = []
    for item in scenario.objects:
        if not item.namespace or item.namespace == scenario.release_namespace:
            continue
        owned = f"{scenario.release_namespace}-{item.chart}-"
        if not item.name.startswith(owned):
            problems.append(scenario.problem(item, "metadata.name", _shared_message(item, owned)))
    return problems


def _shared_message(item: RenderedObject, owned: str) -> str:
    return (
        f"is in namespace {item.namespace}, which other environments share: name it "
        f"'{owned}…' (release namespace and name), or a second environment's install fails "
        "Helm's ownership check"
    )


def _labels(selector: dict[str, str]) -> str:
    return ",".join(f"{key}={value}" for key, value in sorted(selector.items()))
