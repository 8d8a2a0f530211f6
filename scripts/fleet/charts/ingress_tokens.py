"""The ingress refuses gRPC-web calls without a valid token, except to repos.yaml's public methods.

Checked the way Istio evaluates the gateway's policies for a tokenless POST: some DENY
AuthorizationPolicy selecting the gateway's pods must match every other method of every browser
route, none may match a public one (nobody could sign in), and a RequestAuthentication must let
the gateway read tokens at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fleet.charts.grpc_contracts import GrpcService
from fleet.charts.problems import Problem
from fleet.charts.rendered import RenderedObject, RenderedScenario, selects
from fleet.edge.routes import BrowserRoutes

METHOD = "POST"


def ingress_token_problems(
    scenario: RenderedScenario,
    routes: BrowserRoutes,
    contracts: Mapping[str, Sequence[GrpcService]],
    public: Sequence[str],
) -> list[Problem]:
    ingress = [vs for vs in scenario.of_kind("VirtualService") if vs.spec.get("gateways")]
    if not ingress or not scenario.external_workloads:
        return []
    namespace, labels = scenario.external_workloads[0]
    policies = [
        policy
        for policy in scenario.of_kind("AuthorizationPolicy")
        if policy.namespace == namespace
        and policy.spec.get("action") == "DENY"
        and selects(_match_labels(policy), labels)
    ]
    problems = []
    if not any(
        item.namespace == namespace and selects(_match_labels(item), labels)
        for item in scenario.of_kind("RequestAuthentication")
    ):
        message = f"no RequestAuthentication lets the ingress gateway ({namespace}) read tokens"
        problems.append(scenario.problem(ingress[0], "spec.gateways", message))
    for route in routes.grpc_web:
        for grpc in contracts.get(route.service, ()):
            if grpc.full_name not in route.grpc_services:
                continue
            for method in grpc.methods:
                path = grpc.method_path(method)
                denied = any(_denies_tokenless(policy, path) for policy in policies)
                if path in public and denied:
                    message = (
                        f"the ingress refuses {path} without a token, but repos.yaml lists it "
                        "in public_methods (nobody could sign in)"
                    )
                elif path not in public and not denied:
                    message = (
                        f"the ingress lets {path} through without a token: no DENY "
                        f"AuthorizationPolicy in {namespace} refuses it without a request principal"
                    )
                else:
                    continue
                problems.append(scenario.problem(ingress[0], "spec.http", message))
                break
    return problems


def _denies_tokenless(policy: RenderedObject, path: str) -> bool:
    return any(
        _tokenless_source(rule) and _operation_matches(rule, path)
        for rule in policy.spec.get("rules") or []
    )


def _tokenless_source(rule: dict[str, Any]) -> bool:
    sources = [source.get("source") or {} for source in rule.get("from") or []]
    return not sources or any(
        "*" in (source.get("notRequestPrincipals") or [])
        and not source.get("requestPrincipals")
        and not source.get("principals")
        for source in sources
    )


def _operation_matches(rule: dict[str, Any], path: str) -> bool:
    operations = [target.get("operation") or {} for target in rule.get("to") or []]
    return not operations or any(
        ("paths" not in op or any(_glob(p, path) for p in op["paths"]))
        and not any(_glob(p, path) for p in op.get("notPaths") or [])
        and ("methods" not in op or METHOD in op["methods"])
        and METHOD not in (op.get("notMethods") or [])
        for op in operations
    )


def _glob(pattern: str, path: str) -> bool:
    """Istio's path match: exact, `prefix*`, `*suffix` or `*`."""
    if pattern == "*":
        return True
    if pattern.endswith("*"):
        return path.startswith(pattern[:-1])
    if pattern.startswith("*"):
        return path.endswith(pattern[1:])
    return path == pattern


def _match_labels(item: RenderedObject) -> dict[str, str]:
    return dict((item.spec.get("selector") or {}).get("matchLabels") or {})
