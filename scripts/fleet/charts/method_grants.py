"""A caller repos.yaml allows only some methods (`caller_methods`) is allowed no other method.

Least privilege in the mesh: ms_canvas needs one method of ms_knowledge; a policy that lets it call
all of them lets a compromised ms_canvas delete spaces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fleet.charts.caller_methods import caller_method_paths
from fleet.charts.grpc_contracts import GrpcService
from fleet.charts.layout import kubernetes_name
from fleet.charts.problems import Problem
from fleet.charts.rendered import PRINCIPAL, RenderedScenario
from fleet.manifest import Manifest


def method_grant_problems(
    scenario: RenderedScenario,
    manifest: Manifest,
    contracts: Mapping[str, Sequence[GrpcService]],
) -> list[Problem]:
    needed: dict[str, dict[str, list[str]]] = {
        kubernetes_name(service.name): {
            kubernetes_name(caller): paths
            for caller, paths in caller_method_paths(
                service, contracts.get(service.name, ())
            ).items()
        }
        for service in manifest.services
    }
    problems = []
    for policy in scenario.of_kind("AuthorizationPolicy"):
        limited = needed.get(policy.chart, {})
        for index, rule in enumerate(policy.spec.get("rules") or []):
            paths = [
                str(path)
                for target in rule.get("to") or []
                for path in (target.get("operation") or {}).get("paths") or []
            ]
            for caller in _callers(rule, policy.namespace):
                extra = [path for path in paths if path not in limited.get(caller, paths)]
                if extra:
                    message = (
                        f"allows {caller} {', '.join(extra)}, but repos.yaml lets it call only "
                        f"{', '.join(limited[caller])} (caller_methods)"
                    )
                    problems.append(scenario.problem(policy, f"spec.rules[{index}]", message))
    return problems


def _callers(rule: dict[str, Any], namespace: str) -> list[str]:
    """The ServiceAccounts of the release's namespace a rule names."""
    callers = []
    for source in rule.get("from") or []:
        for principal in (source.get("source") or {}).get("principals") or []:
            match = PRINCIPAL.match(str(principal))
            if match and match.group(1) == namespace:
                callers.append(match.group(2))
    return callers
