"""Callers allowed only some methods (repos.yaml `caller_methods`), as the full gRPC paths an
AuthorizationPolicy allows them, checked against the registry's services."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fleet.charts.grpc_contracts import GrpcService
from fleet.manifest import Manifest, Service


def caller_method_problems(
    manifest: Manifest, contracts: Mapping[str, Sequence[GrpcService]]
) -> list[str]:
    """Each method a `caller_methods` entry names that the service's gRPC API does not have."""
    problems = []
    for service in manifest.services:
        served = _served_methods(contracts.get(service.name, ()))
        for caller, methods in service.caller_methods.items():
            for method in methods:
                if method not in served:
                    known = ", ".join(sorted(served)) or "none"
                    problems.append(
                        f"{service.name}.caller_methods.{caller}: {method} is no method of "
                        f"{service.name}'s gRPC API (known: {known})"
                    )
    return problems


def caller_method_paths(service: Service, contracts: Sequence[GrpcService]) -> dict[str, list[str]]:
    """`{"ms_canvas": ["/knowledge.knowledge.v1.SpaceService/ListSpaceMembers"]}`."""
    by_name = {grpc.name: grpc for grpc in contracts}
    paths: dict[str, list[str]] = {}
    for caller, methods in service.caller_methods.items():
        for method in methods:
            grpc_name, name = method.split("/")
            grpc = by_name.get(grpc_name)
            if grpc is not None:
                paths.setdefault(caller, []).append(grpc.method_path(name))
    return paths


def _served_methods(contracts: Sequence[GrpcService]) -> set[str]:
    return {f"{grpc.name}/{method}" for grpc in contracts for method in grpc.methods}
