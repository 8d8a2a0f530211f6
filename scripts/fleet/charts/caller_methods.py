"""Methods repos.yaml names: those a caller is limited to (`caller_methods`), which its
AuthorizationPolicy allows, and those browsers call without a token (`public_methods`), which the
ingress lets through tokenless; as full gRPC paths, checked against the registry's services."""

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
        named = [
            (f"caller_methods.{caller}", m)
            for caller, ms in service.caller_methods.items()
            for m in ms
        ]
        named += [("public_methods", method) for method in service.public_methods]
        for where, method in named:
            if method not in served:
                known = ", ".join(sorted(served)) or "none"
                problems.append(
                    f"{service.name}.{where}: {method} is no method of "
                    f"{service.name}'s gRPC API (known: {known})"
                )
    return problems


def public_method_paths(
    manifest: Manifest, contracts: Mapping[str, Sequence[GrpcService]]
) -> list[str]:
    """Every method browsers may call without a token, as full gRPC paths."""
    return sorted(
        path
        for service in manifest.services
        for path in _paths(service.public_methods, contracts.get(service.name, ()))
    )


def caller_method_paths(service: Service, contracts: Sequence[GrpcService]) -> dict[str, list[str]]:
    """`{"ms_canvas": ["/knowledge.knowledge.v1.SpaceService/ListSpaceMembers"]}`."""
    return {
        caller: _paths(methods, contracts) for caller, methods in service.caller_methods.items()
    }


def _paths(methods: Sequence[str], contracts: Sequence[GrpcService]) -> list[str]:
    """`SpaceService/GetSpace` → `/knowledge.knowledge.v1.SpaceService/GetSpace`."""
    by_name = {grpc.name: grpc for grpc in contracts}
    paths = []
    for method in methods:
        grpc_name, name = method.split("/")
        if grpc_name in by_name:
            paths.append(by_name[grpc_name].method_path(name))
    return paths


def _served_methods(contracts: Sequence[GrpcService]) -> set[str]:
    return {f"{grpc.name}/{method}" for grpc in contracts for method in grpc.methods}
