"""Rendered objects of one scenario, indexed the way cross-references look them up."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fleet.charts.problems import Problem, object_label

WORKLOAD_KINDS = ("Deployment", "StatefulSet")
"""What runs pods in the charts: the services' Deployments, the stores' StatefulSets (Qdrant,
ClickHouse)."""

PRINCIPAL = re.compile(r"^[^/]+/ns/([^/]+)/sa/([^/]+)$")
"""An Istio principal: <trust domain>/ns/<namespace>/sa/<service account>."""


@dataclass(frozen=True)
class RenderedObject:
    """One object a chart rendered."""

    chart: str
    document: dict[str, Any]

    @property
    def kind(self) -> str:
        return str(self.document.get("kind", ""))

    @property
    def name(self) -> str:
        return str((self.document.get("metadata") or {}).get("name", ""))

    @property
    def namespace(self) -> str:
        return str((self.document.get("metadata") or {}).get("namespace", ""))

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.document.get("spec")
        return spec if isinstance(spec, dict) else {}

    @property
    def labels(self) -> dict[str, str]:
        return dict((self.document.get("metadata") or {}).get("labels") or {})


@dataclass
class RenderedScenario:
    """Every object of every chart in one scenario."""

    scenario: str
    objects: list[RenderedObject] = field(default_factory=list)
    external_service_accounts: set[tuple[str, str]] = field(default_factory=set)
    """(namespace, name) of accounts other installs provide (the Istio ingress gateway's)."""
    grpc_services: set[str] = field(default_factory=set)
    release_namespace: str = ""
    gateway_target_ports: dict[int, int] = field(default_factory=dict)
    """The ingress gateway Service's port → the port its pods listen on (mesh values)."""
    external_workloads: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    """(namespace, pod labels) of workloads other installs run (the ingress gateway's pods)."""

    def selects_external_workload(self, namespace: str, selector: dict[str, str]) -> bool:
        return any(
            namespace == where and selects(selector, labels)
            for where, labels in self.external_workloads
        )

    def of_kind(self, kind: str) -> list[RenderedObject]:
        return [item for item in self.objects if item.kind == kind]

    def workloads(self) -> list[RenderedObject]:
        return [item for item in self.objects if item.kind in WORKLOAD_KINDS]

    def find_workload(self, namespace: str, name: str) -> RenderedObject | None:
        for kind in WORKLOAD_KINDS:
            found = self.find(kind, namespace, name)
            if found is not None:
                return found
        return None

    def find(self, kind: str, namespace: str, name: str) -> RenderedObject | None:
        for item in self.objects:
            if item.kind == kind and item.namespace == namespace and item.name == name:
                return item
        return None

    def service_for_host(self, namespace: str, host: str) -> RenderedObject | None:
        """The Service a mesh host names: `name`, `name.namespace`, or the cluster-local name."""
        parts = host.removesuffix(".svc.cluster.local").split(".")
        if len(parts) > 2:
            return None
        return self.find("Service", parts[1] if len(parts) == 2 else namespace, parts[0])

    def problem(self, item: RenderedObject, field_name: str, message: str) -> Problem:
        return Problem(self.scenario, item.chart, object_label(item.document), field_name, message)


def pod_labels(deployment: RenderedObject) -> dict[str, str]:
    template = deployment.spec.get("template") or {}
    return dict((template.get("metadata") or {}).get("labels") or {})


def containers(deployment: RenderedObject) -> list[dict[str, Any]]:
    template = deployment.spec.get("template") or {}
    return list((template.get("spec") or {}).get("containers") or [])


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return bool(selector) and all(labels.get(key) == value for key, value in selector.items())
