"""NetworkPolicies: the namespace denies by default, each release's pods have their own policy, and
the connections it allows are exactly the calls the mesh's AuthorizationPolicies allow.

Below the mesh, a NetworkPolicy is the only thing between a compromised pod and every other pod; a
release without one is unreachable (the default deny), and a policy that forgets a caller breaks
that caller's calls with connection timeouts no mesh log explains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fleet.charts.problems import Problem
from fleet.charts.rendered import PRINCIPAL, RenderedObject, RenderedScenario, pod_labels, selects

NAMESPACE_LABEL = "kubernetes.io/metadata.name"


@dataclass(frozen=True)
class _Pods:
    """A workload's pods: where they run and how they are labelled."""

    namespace: str
    labels: dict[str, str]
    name: str
    external: bool = False
    """Installed and governed by another chart (the ingress gateway): its egress is not ours."""


def network_policy_problems(scenario: RenderedScenario) -> list[Problem]:
    policies = scenario.of_kind("NetworkPolicy")
    if not policies:
        return []
    problems = _default_deny(scenario, policies)
    for workload in scenario.workloads():
        if not _own_policies(workload, policies):
            message = (
                "no NetworkPolicy of its release selects its pods: the namespace's default deny "
                "cuts them off from everything"
            )
            problems.append(scenario.problem(workload, "spec.template.metadata.labels", message))
    problems += _calls_allowed(scenario, policies)
    problems += _no_other_callers(scenario, policies)
    return problems


def lets_out(
    scenario: RenderedScenario, workload: RenderedObject, target: RenderedObject, port: int
) -> bool | None:
    """Whether the NetworkPolicies of a workload's release let its pods out to `target`'s pods on
    `port`; None when the render has no NetworkPolicies or none of them selects its pods."""
    own = _own_policies(workload, scenario.of_kind("NetworkPolicy"))
    if not own:
        return None
    pods = _Pods(target.namespace, pod_labels(target), target.name)
    return any(_sends(policy, pods, port) for policy in own)


def _default_deny(scenario: RenderedScenario, policies: list[RenderedObject]) -> list[Problem]:
    namespace = scenario.release_namespace
    for policy in policies:
        spec = policy.spec
        if (
            policy.namespace == namespace
            and not (spec.get("podSelector") or {})
            and {"Ingress", "Egress"} <= set(spec.get("policyTypes") or [])
            and not spec.get("ingress")
            and not spec.get("egress")
        ):
            return []
    message = (
        "no NetworkPolicy denies all traffic in and out by default (podSelector {}, "
        "policyTypes Ingress and Egress, no rules)"
    )
    return [Problem(scenario.scenario, "", f"namespace {namespace}", "", message)]


def _own_policies(workload: RenderedObject, policies: list[RenderedObject]) -> list[RenderedObject]:
    labels = pod_labels(workload)
    return [
        policy
        for policy in policies
        if policy.chart == workload.chart
        and policy.namespace == workload.namespace
        and selects(_match_labels(policy.spec.get("podSelector")), labels)
    ]


def _calls_allowed(scenario: RenderedScenario, policies: list[RenderedObject]) -> list[Problem]:
    """Each (caller, port) an AuthorizationPolicy allows gets through both NetworkPolicies."""
    problems = []
    for authorization, callee, caller, port in _allowed_calls(scenario):
        callee_policies = _own_policies(callee, policies)
        target = _Pods(callee.namespace, pod_labels(callee), callee.name)
        if callee_policies and not any(_admits(p, caller, port) for p in callee_policies):
            message = (
                f"lets {caller.name} ({caller.namespace}) call port {port}, but no NetworkPolicy "
                f"of {callee.chart} admits it there"
            )
            problems.append(scenario.problem(authorization, "spec.rules", message))
        if caller.external:
            continue
        workload = scenario.find_workload(caller.namespace, caller.name)
        own = [] if workload is None else _own_policies(workload, policies)
        if own and not any(_sends(p, target, port) for p in own):
            message = (
                f"lets {caller.name} call {callee.name} on port {port}, but no NetworkPolicy of "
                f"{caller.name} lets its pods out to {callee.name}:{port}"
            )
            problems.append(scenario.problem(authorization, "spec.rules", message))
    return problems


def _no_other_callers(scenario: RenderedScenario, policies: list[RenderedObject]) -> list[Problem]:
    """Each workload of the namespace a service's NetworkPolicy admits is a caller the mesh allows."""
    allowed = {
        (callee.name, caller.name, port) for _, callee, caller, port in _allowed_calls(scenario)
    }
    # Ports an AuthorizationPolicy opens to anyone (a rule without `from`, like the JWKS).
    allowed |= {
        (callee.name, caller.name, port)
        for callee, port in _open_ports(scenario)
        for caller in scenario.workloads()
    }
    problems = []
    for workload in scenario.workloads():
        for policy in _own_policies(workload, policies):
            for index, rule in enumerate(policy.spec.get("ingress") or []):
                for caller in scenario.workloads():
                    pods = _Pods(caller.namespace, pod_labels(caller), caller.name)
                    if caller is workload or not _rule_matches(rule, policy, pods, None):
                        continue
                    for port in _rule_ports(rule):
                        if (workload.name, caller.name, port) not in allowed:
                            message = (
                                f"admits {caller.name} on port {port}, which no AuthorizationPolicy "
                                f"lets call {workload.name} there"
                            )
                            field = f"spec.ingress[{index}]"
                            problems.append(scenario.problem(policy, field, message))
    return problems


def _allowed_calls(
    scenario: RenderedScenario,
) -> list[tuple[RenderedObject, RenderedObject, _Pods, int]]:
    """(policy, callee workload, caller pods, port) for each principal and port a rule allows."""
    calls = []
    for authorization in scenario.of_kind("AuthorizationPolicy"):
        selector = _match_labels(authorization.spec.get("selector"))
        callees = [
            d
            for d in scenario.workloads()
            if d.namespace == authorization.namespace and selects(selector, pod_labels(d))
        ]
        for rule in authorization.spec.get("rules") or []:
            ports = _operation_ports(rule)
            for source in rule.get("from") or []:
                for principal in (source.get("source") or {}).get("principals") or []:
                    caller = _principal_pods(scenario, str(principal))
                    if caller is None:
                        continue
                    calls += [
                        (authorization, callee, caller, port)
                        for callee in callees
                        for port in ports
                    ]
    return calls


def _open_ports(scenario: RenderedScenario) -> list[tuple[RenderedObject, int]]:
    opened = []
    for authorization in scenario.of_kind("AuthorizationPolicy"):
        selector = _match_labels(authorization.spec.get("selector"))
        for rule in authorization.spec.get("rules") or []:
            if rule.get("from"):
                continue
            for callee in scenario.workloads():
                if callee.namespace == authorization.namespace and selects(
                    selector, pod_labels(callee)
                ):
                    opened += [(callee, port) for port in _operation_ports(rule)]
    return opened


def _operation_ports(rule: dict[str, Any]) -> list[int]:
    return [
        int(port)
        for target in rule.get("to") or []
        for port in (target.get("operation") or {}).get("ports") or []
    ]


def _principal_pods(scenario: RenderedScenario, principal: str) -> _Pods | None:
    match = PRINCIPAL.match(principal)
    if match is None:
        return None
    namespace, account = match.group(1), match.group(2)
    if (namespace, account) in scenario.external_service_accounts:
        return _Pods(namespace, {}, account, external=True)
    for workload in scenario.workloads():
        template_spec = (workload.spec.get("template") or {}).get("spec") or {}
        if workload.namespace == namespace and template_spec.get("serviceAccountName") == account:
            return _Pods(namespace, pod_labels(workload), workload.name)
    return None


def _admits(policy: RenderedObject, source: _Pods, port: int) -> bool:
    return any(
        _rule_matches(rule, policy, source, port) for rule in policy.spec.get("ingress") or []
    )


def _sends(policy: RenderedObject, target: _Pods, port: int) -> bool:
    return any(
        _rule_matches(rule, policy, target, port) for rule in policy.spec.get("egress") or []
    )


def _rule_matches(
    rule: dict[str, Any], policy: RenderedObject, pods: _Pods, port: int | None
) -> bool:
    """Whether an ingress or egress rule covers `pods` (on `port`, unless None)."""
    if port is not None and rule.get("ports") and port not in _rule_ports(rule):
        return False
    peers = rule.get("from", rule.get("to"))
    if not peers:
        return True
    return any(_peer_matches(peer, policy.namespace, pods) for peer in peers)


def _rule_ports(rule: dict[str, Any]) -> list[int]:
    return [int(p["port"]) for p in rule.get("ports") or [] if "port" in p]


def _peer_matches(peer: dict[str, Any], own_namespace: str, pods: _Pods) -> bool:
    if "ipBlock" in peer:
        return False
    if "namespaceSelector" in peer:
        namespaces = _match_labels(peer["namespaceSelector"])
        if namespaces and namespaces != {NAMESPACE_LABEL: pods.namespace}:
            return False
    elif pods.namespace != own_namespace:
        return False
    if "podSelector" not in peer:
        return True
    wanted = _match_labels(peer["podSelector"])
    return not wanted or (bool(pods.labels) and selects(wanted, pods.labels))


def _match_labels(selector: Any) -> dict[str, str]:
    return dict((selector or {}).get("matchLabels") or {}) if isinstance(selector, dict) else {}
