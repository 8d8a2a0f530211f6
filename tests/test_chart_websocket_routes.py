"""Each WebSocket route of the route table, as the cluster's ingress renders it and as the local
edge serves it, delivers a browser's socket on the path its service accepts."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest
import yaml
from fleet.edge.routes import WebSocketRoute, websocket_routes
from fleet.manifest import load_manifest
from fleet.paths import find_repo_root
from fleet.up.edge_process import edge_process
from fleet.up.layout import UpLayout
from fleet.up.ports import PortPlan
from knowledge_kit.errors import DomainError
from ms_canvas.domain.canvases import CANVAS
from ms_canvas.server.canvas_socket import canvas_name_of
from websockets.asyncio.server import ServerConnection, serve

from .edge_harness import running_edge

ROOT = find_repo_root()
POLICY_VIOLATION = 1008
BROWSER_TAIL = "spaces/s1/canvases/c1"
"""What a browser appends to a route's prefix (y-websocket joins server URL and room name)."""


def _canvas_path(path: str) -> str:
    """What ms_canvas's socket does with the path it receives: a canvas name, or it closes 1008."""
    name = canvas_name_of(path)
    CANVAS.parse(name, "path")
    return name


ACCEPTED_PATHS: dict[str, Callable[[str], str]] = {"ms_canvas": _canvas_path}
"""Each service with a WebSocket route and code in this repository: how it reads its path."""
PATH_FREE = frozenset({"ms_chat"})
"""Services whose socket reads nothing from its path (ms_chat names the conversation in each
frame), so whatever the ingress forwards reaches the same endpoint."""


def _routes() -> tuple[WebSocketRoute, ...]:
    return websocket_routes(load_manifest(ROOT).services)


def _ingress_forwarded_path(route: WebSocketRoute) -> str:
    """The path Istio sends the service for `<prefix><tail>`: the matched prefix replaced by the
    rendered route's `rewrite.uri`, or kept when there is none."""
    golden = ROOT / "platform-charts/golden/default/mesh.yaml"
    documents = yaml.safe_load_all(golden.read_text(encoding="utf-8"))
    ingress = next(d for d in documents if d and d["kind"] == "VirtualService")
    for http in ingress["spec"]["http"]:
        if {"uri": {"prefix": route.path_prefix}} in http["match"]:
            rewrite = (http.get("rewrite") or {}).get("uri")
            tail = BROWSER_TAIL
            return f"{rewrite}{tail}" if rewrite is not None else route.path_prefix + tail
    raise AssertionError(f"the ingress has no route for {route.path_prefix}")


def test_every_service_with_a_websocket_route_and_code_is_covered() -> None:
    served = {route.service for route in _routes() if (ROOT / "services" / route.service).is_dir()}
    assert served == set(ACCEPTED_PATHS) | PATH_FREE


@pytest.mark.parametrize("service", sorted(ACCEPTED_PATHS))
def test_the_ingress_forwards_the_path_the_service_accepts(service: str) -> None:
    route = next(route for route in _routes() if route.service == service)

    forwarded = _ingress_forwarded_path(route)

    assert ACCEPTED_PATHS[service](forwarded) == BROWSER_TAIL


def test_a_path_with_the_prefix_left_on_is_refused_by_ms_canvas() -> None:
    with pytest.raises(DomainError):
        _canvas_path("/ws/canvas/" + BROWSER_TAIL)


async def _service_socket(connection: ServerConnection) -> None:
    """The service's path handling behind a real socket: the name it joins, or a 1008 close."""
    assert connection.request is not None
    try:
        name = _canvas_path(connection.request.path)
    except DomainError as refused:
        await connection.close(POLICY_VIOLATION, refused.message[:120])
        return
    await connection.send(name)


@pytest.fixture
async def canvas_upstream() -> AsyncIterator[str]:
    async with serve(_service_socket, "127.0.0.1", 0) as server:
        yield f"127.0.0.1:{next(iter(server.sockets)).getsockname()[1]}"


async def test_the_local_edge_delivers_the_route_on_the_path_ms_canvas_accepts(
    canvas_upstream: str,
) -> None:
    route = next(route for route in _routes() if route.service == "ms_canvas")
    async with (
        running_edge(websocket_routes={route.path_prefix: canvas_upstream}) as url,
        aiohttp.ClientSession() as session,
        session.ws_connect(url.replace("http", "ws") + route.path_prefix + BROWSER_TAIL) as socket,
    ):
        assert (await socket.receive_str()) == BROWSER_TAIL


def test_the_page_opens_canvases_under_the_route_tables_prefix() -> None:
    route = next(route for route in _routes() if route.service == "ms_canvas")
    page = ROOT / "scripts/fleet/edge/page/src/canvas_view.ts"

    assert f"/{route.path_prefix.strip('/')}`" in page.read_text(encoding="utf-8")


def test_fleet_up_routes_websockets_by_the_route_table(tmp_path: Path) -> None:
    services = load_manifest(ROOT).services
    layout = UpLayout.at(tmp_path)
    ports = PortPlan(edge=8080, edge_grpc=8090, broker=19092, offset=100)

    edge_process(layout, services, ports, tmp_path)

    config = json.loads(layout.edge_config.read_text(encoding="utf-8"))
    canvas = next(s for s in services if s.name == "ms_canvas")
    assert config["websocket_routes"] == [
        {
            "path_prefix": route.path_prefix,
            "rewrite": route.rewrite,
            "upstream": f"127.0.0.1:{route.port + 100}",
        }
        for route in _routes()
    ]
    assert {"path_prefix": "/ws/canvas/", "rewrite": "/", "upstream": "127.0.0.1:8865"} in config[
        "websocket_routes"
    ]
    assert canvas.ports.websocket == 8765
