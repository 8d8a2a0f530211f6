"""The gRPC services each fleet service exposes, read from the proto registry's .proto files.

Authorization policies and ingress routes name full gRPC method paths, so they follow the
contracts: `package knowledge.auth.v1;` + `service AuthService` becomes
`/knowledge.auth.v1.AuthService/*`, and server-streaming methods get stream timeouts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from fleet.errors import FleetError
from fleet.protos.layout import RegistryLayout

_COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.DOTALL)
_PACKAGE = re.compile(r"\bpackage\s+([A-Za-z_][\w.]*)\s*;")
_SERVICE = re.compile(r"\bservice\s+([A-Za-z_]\w*)\s*\{")
_RPC = re.compile(
    r"\brpc\s+(\w+)\s*\(\s*(stream\s+)?[\w.]+\s*\)\s*returns\s*\(\s*(stream\s+)?[\w.]+\s*\)"
)
_FLEET_PACKAGE = re.compile(r"^knowledge\.([a-z][a-z0-9_]*)\.v[0-9]+$")


@dataclass(frozen=True)
class GrpcService:
    """One gRPC service of the registry: its methods, and those whose responses are streams."""

    package: str
    name: str
    streaming_methods: tuple[str, ...]
    methods: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        return f"{self.package}.{self.name}"

    def method_path(self, method: str) -> str:
        return f"/{self.full_name}/{method}"


def load_grpc_services(root: Path) -> dict[str, list[GrpcService]]:
    """Every gRPC service under proto-registry/proto, keyed by the fleet service that owns it.

    A package `knowledge.<name>.vN` belongs to the fleet service `ms_<name>`; shared packages
    (like knowledge.common.v1) declare no services and are skipped.
    """
    layout = RegistryLayout(root)
    services: dict[str, list[GrpcService]] = {}
    for source in layout.proto_files():
        proto = layout.proto_root / source
        for service in parse_proto(proto.read_text(encoding="utf-8"), proto.relative_to(root)):
            owner = _FLEET_PACKAGE.match(service.package)
            if owner is None:
                raise FleetError(
                    f"{proto.relative_to(root)}: service {service.name} is in package "
                    f"'{service.package}', expected knowledge.<service>.v<major>"
                )
            services.setdefault(f"ms_{owner.group(1)}", []).append(service)
    return {name: sorted(found, key=lambda s: s.full_name) for name, found in services.items()}


def parse_proto(text: str, source: Path) -> list[GrpcService]:
    """The services a .proto file declares; `source` only names the file in errors."""
    code = _COMMENT.sub("", text)
    services: list[GrpcService] = []
    package_match = _PACKAGE.search(code)
    for service_match in _SERVICE.finditer(code):
        if package_match is None:
            raise FleetError(f"{source}: declares service {service_match.group(1)} but no package")
        body = _block_after(code, service_match.end(), source)
        rpcs = list(_RPC.finditer(body))
        streaming = tuple(rpc.group(1) for rpc in rpcs if rpc.group(3) is not None)
        methods = tuple(rpc.group(1) for rpc in rpcs)
        services.append(
            GrpcService(package_match.group(1), service_match.group(1), streaming, methods)
        )
    return services


def _block_after(code: str, start: int, source: Path) -> str:
    """The text up to the brace closing the one opened just before `start`."""
    depth = 1
    for index in range(start, len(code)):
        if code[index] == "{":
            depth += 1
        elif code[index] == "}":
            depth -= 1
            if depth == 0:
                return code[start:index]
    raise FleetError(f"{source}: a service block is not closed")
