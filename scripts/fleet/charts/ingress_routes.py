"""The cluster's ingress routes are the browser route table's, rewrites included, and in an order
where each is reached: Istio takes the first route that matches, so the web app's catch-all page
route (`/`) must come after every gRPC-web and WebSocket prefix.

The local edge routes by the same table (fleet.edge.routes), so a route the ingress renders
differently (a WebSocket prefix left unrewritten, a gRPC service routed elsewhere) is a path the
browser tests never exercised: ms_canvas closes a socket opened on `/ws/canvas/spaces/...` (1008).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fleet.charts.layout import kubernetes_name
from fleet.charts.problems import Problem
from fleet.charts.rendered import RenderedObject, RenderedScenario
from fleet.edge.routes import BrowserRoutes

SAMPLE_TAIL = "x"
"""Appended to a route table prefix: a path below it, which only a prefix match can take."""


@dataclass(frozen=True)
class _IngressRoute:
    table: RenderedObject
    index: int
    route: dict[str, Any]

    def prefixes(self) -> set[str]:
        return {str((m.get("uri") or {}).get("prefix")) for m in self.route.get("match") or []}

    def destination(self) -> tuple[str, int | None]:
        targets = self.route.get("route") or [{}]
        destination = targets[0].get("destination") or {}
        port = (destination.get("port") or {}).get("number")
        return str(destination.get("host", "")).split(".")[0], port

    def matches(self, path: str) -> bool:
        """Whether Istio would send a request for `path` here (given no route before it does)."""
        for match in self.route.get("match") or [{}]:
            uri = match.get("uri") or {}
            if "exact" in uri and path == str(uri["exact"]):
                return True
            if "prefix" in uri and path.startswith(str(uri["prefix"])):
                return True
            if not uri:
                return True
        return False

    def rewrite(self) -> str | None:
        uri = (self.route.get("rewrite") or {}).get("uri")
        return None if uri is None else str(uri)


def ingress_route_problems(scenario: RenderedScenario, routes: BrowserRoutes) -> list[Problem]:
    ingress = list(_ingress_routes(scenario))
    if not ingress:
        return []
    problems: list[Problem] = []
    for websocket in routes.websockets:
        expected = (kubernetes_name(websocket.service), websocket.port)
        where = f"WebSocket route {websocket.path_prefix} → {expected[0]}:{expected[1]}"
        found = _routing(ingress, websocket.path_prefix)
        if found is None:
            problems.append(_missing(scenario, ingress[0].table, where))
            continue
        field = f"spec.http[{found.index}]"
        shadowing = _shadowing(ingress, found, f"{websocket.path_prefix}{SAMPLE_TAIL}")
        if shadowing is not None:
            problems.append(_shadowed(scenario, shadowing, found, where))
            continue
        if found.destination() != expected:
            host, port = found.destination()
            message = (
                f"{where} goes to {host}:{port} (the route table's: {expected[0]}:{expected[1]})"
            )
            problems.append(scenario.problem(found.table, f"{field}.route[0].destination", message))
        if found.rewrite() != websocket.rewrite:
            now = "keeps it" if found.rewrite() is None else f"rewrites it to '{found.rewrite()}'"
            message = (
                f"{where} must rewrite its prefix to '{websocket.rewrite}' ({now}): "
                f"{websocket.service} serves its sockets from '{websocket.rewrite}' and closes "
                "any other path"
            )
            problems.append(scenario.problem(found.table, f"{field}.rewrite.uri", message))
    for grpc_web in routes.grpc_web:
        host = kubernetes_name(grpc_web.service)
        for grpc_service in grpc_web.grpc_services:
            prefix = f"/{grpc_service}/"
            where = f"gRPC-web route {prefix} → {host}"
            found = _routing(ingress, prefix)
            shadowing = None if found is None else _shadowing(ingress, found, prefix + SAMPLE_TAIL)
            for method in grpc_web.streaming_methods:
                if shadowing is None and found is not None and method.startswith(prefix):
                    shadowing = _shadowing(ingress, found, method)
            if found is None:
                problems.append(_missing(scenario, ingress[0].table, where))
            elif shadowing is not None:
                problems.append(_shadowed(scenario, shadowing, found, where))
            elif found.destination()[0] != host or found.rewrite() is not None:
                message = (
                    f"{where} reaches {found.destination()[0]}, rewritten to {found.rewrite()!r}"
                )
                problems.append(scenario.problem(found.table, f"spec.http[{found.index}]", message))
    return problems


def _ingress_routes(scenario: RenderedScenario) -> Iterator[_IngressRoute]:
    for table in scenario.of_kind("VirtualService"):
        if table.spec.get("gateways"):
            for index, route in enumerate(table.spec.get("http") or []):
                yield _IngressRoute(table, index, route)


def _routing(ingress: list[_IngressRoute], prefix: str) -> _IngressRoute | None:
    return next((route for route in ingress if prefix in route.prefixes()), None)


def _shadowing(
    ingress: list[_IngressRoute], found: _IngressRoute, path: str
) -> _IngressRoute | None:
    """A route listed before `found` that takes `path` to another destination or rewrite (Istio
    takes the first route that matches), if any."""
    for route in ingress:
        if route.table is not found.table or route.index >= found.index:
            continue
        if route.matches(path) and (
            route.destination() != found.destination() or route.rewrite() != found.rewrite()
        ):
            return route
    return None


def _shadowed(
    scenario: RenderedScenario, shadowing: _IngressRoute, found: _IngressRoute, where: str
) -> Problem:
    host, port = shadowing.destination()
    message = (
        f"{where} is never reached: spec.http[{shadowing.index}] ({host}:{port}) is listed "
        f"before spec.http[{found.index}] and matches its paths first"
    )
    return scenario.problem(found.table, f"spec.http[{shadowing.index}]", message)


def _missing(scenario: RenderedScenario, table: RenderedObject, where: str) -> Problem:
    return scenario.problem(table, "spec.http", f"no route for the route table's {where}")
