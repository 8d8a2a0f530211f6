"""The browser route table: which public path reaches which service, and what path the service sees.

One table for both gateways: `fleet charts generate` renders the cluster's ingress routes from it
(the mesh chart's values), and the local edge of `fleet up` routes by it, so the browser tests go
through the same paths and rewrites a cluster has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from fleet.charts.grpc_contracts import GrpcService
from fleet.manifest import Manifest, Service

WEBSOCKET_PATHS = "/ws/"
"""Every WebSocket route's prefix starts here; the edge answers 404 below it for the others."""
WEBSOCKET_REWRITE = "/"
"""What replaces a WebSocket route's prefix: a service serves its sockets from its root
(ms_canvas accepts `/spaces/{space}/canvases/{canvas}`, not `/ws/canvas/spaces/...`)."""


@dataclass(frozen=True)
class WebSocketRoute:
    """Browsers open `<path_prefix><rest>`; the service's WebSocket port sees `<rewrite><rest>`."""

    service: str
    path_prefix: str
    port: int
    rewrite: str = WEBSOCKET_REWRITE


@dataclass(frozen=True)
class GrpcWebRoute:
    """gRPC-web on `/<package>.<Service>/<Method>` to the service, unrewritten."""

    service: str
    grpc_services: tuple[str, ...]
    streaming_methods: tuple[str, ...]
    """Full method paths whose responses are streams: the stream timeout, never retried."""


@dataclass(frozen=True)
class BrowserRoutes:
    grpc_web: tuple[GrpcWebRoute, ...]
    websockets: tuple[WebSocketRoute, ...]


def websocket_path_prefix(service: Service) -> str:
    """ms_canvas → /ws/canvas/."""
    return f"{WEBSOCKET_PATHS}{service.name.removeprefix('ms_')}/"


def websocket_routes(services: Iterable[Service]) -> tuple[WebSocketRoute, ...]:
    """One route per browser-facing service with a WebSocket port."""
    return tuple(
        WebSocketRoute(service.name, websocket_path_prefix(service), service.ports.websocket)
        for service in services
        if service.browser and service.ports.websocket is not None
    )


def browser_routes(
    manifest: Manifest, contracts: Mapping[str, Sequence[GrpcService]]
) -> BrowserRoutes:
    """The routes of every service repos.yaml marks `browser`, its gRPC services from the registry."""
    grpc_web: list[GrpcWebRoute] = []
    for service in manifest.services:
        if not service.browser:
            continue
        found = sorted(contracts.get(service.name, ()), key=lambda grpc: grpc.full_name)
        grpc_web.append(
            GrpcWebRoute(
                service=service.name,
                grpc_services=tuple(grpc.full_name for grpc in found),
                streaming_methods=tuple(
                    grpc.method_path(method) for grpc in found for method in grpc.streaming_methods
                ),
            )
        )
    return BrowserRoutes(tuple(grpc_web), websocket_routes(manifest.services))
