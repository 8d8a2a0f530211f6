"""The web app's release: its Node server behind the ingress at every path no gRPC-web or WebSocket
route claims, its Server Actions calling the services in the mesh as its own identity (the user's
token attached), and nothing else let in or out."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from fleet.charts.check import check_charts
from fleet.charts.grpc_contracts import load_grpc_services
from fleet.edge.routes import browser_routes
from fleet.manifest import load_manifest

from .chart_edits import REPO_ROOT, replace_once

GOLDEN = REPO_ROOT / "platform-charts/golden"
SCENARIOS = sorted(path.name for path in GOLDEN.iterdir() if path.is_dir())
NAMESPACES = {"default": "knowledge", "single-node": "knowledge", "production": "knowledge-prod"}
WEB = REPO_ROOT / "web"
INGRESS = "cluster.local/ns/istio-ingress/sa/istio-ingressgateway"
APP_HEADERS = {
    "content-security-policy",
    "x-content-type-options",
    "x-frame-options",
    "referrer-policy",
}
"""What the app sends on every response (next.config.mjs); the gateway must pass them as they are."""


def _objects(scenario: str, chart: str) -> list[dict[str, Any]]:
    text = (GOLDEN / scenario / f"{chart}.yaml").read_text(encoding="utf-8")
    return [document for document in yaml.safe_load_all(text) if document]


def _one(objects: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    [found] = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def _browser_services() -> dict[str, tuple[int, list[str]]]:
    """Each browser-facing service's chart name: its gRPC port and gRPC services."""
    manifest = load_manifest(REPO_ROOT)
    contracts = load_grpc_services(REPO_ROOT)
    return {
        service.name.replace("_", "-"): (
            service.ports.grpc,
            sorted(grpc.full_name for grpc in contracts[service.name]),
        )
        for service in manifest.services
        if service.browser
    }


def _first_route(routes: list[dict[str, Any]], path: str) -> dict[str, Any]:
    """The route Istio takes for `path`: the first whose match does."""
    for route in routes:
        for match in route.get("match") or [{}]:
            uri = match.get("uri") or {}
            if uri.get("exact") == path or path.startswith(uri.get("prefix", "\0")):
                return route
    raise AssertionError(f"no route takes {path}")


def _destination(route: dict[str, Any]) -> tuple[str, int]:
    destination = route["route"][0]["destination"]
    return destination["host"].split(".")[0], destination["port"]["number"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_web_release_renders_its_workload_in_every_scenario(scenario: str) -> None:
    objects = _objects(scenario, "web")
    kinds = sorted((o["kind"], o["metadata"]["name"]) for o in objects)
    assert kinds == [
        ("AuthorizationPolicy", "web"),
        ("Deployment", "web"),
        ("DestinationRule", "web"),
        ("HorizontalPodAutoscaler", "web"),
        ("NetworkPolicy", "web"),
        ("PodDisruptionBudget", "web"),
        ("Service", "web"),
        ("Service", "web-grpc"),
        ("ServiceAccount", "web"),
        ("VirtualService", "web-grpc"),
    ]
    deployment = _one(objects, "Deployment", "web")
    pod = deployment["spec"]["template"]["spec"]
    [container] = pod["containers"]
    assert pod["serviceAccountName"] == "web"
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert {"requests", "limits"} <= set(container["resources"])
    mounts = {mount["mountPath"] for mount in container["volumeMounts"]}
    assert mounts == {"/tmp", "/app/.next/cache"}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    env = {variable["name"]: variable.get("value") for variable in container["env"]}
    assert env["NEXT_TELEMETRY_DISABLED"] == "1"
    assert env["PORT"] == "3000"
    assert env["KNOWLEDGE_GRPC_TARGET"] == (
        f"web-grpc.{NAMESPACES[scenario]}.svc.cluster.local:50050"
    )
    budget = _one(objects, "PodDisruptionBudget", "web")
    assert budget["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"] == "web"


def test_a_production_release_pulls_the_web_image_by_its_digest() -> None:
    deployment = _one(_objects("production", "web"), "Deployment", "web")
    [container] = deployment["spec"]["template"]["spec"]["containers"]
    assert re.fullmatch(
        r"images\.knowledge\.internal/knowledge/web:1\.4\.2@sha256:[0-9a-f]{64}", container["image"]
    ), container["image"]
    assert deployment["spec"]["template"]["spec"]["imagePullSecrets"] == [
        {"name": "platform-registry"}
    ]


def test_every_grpc_service_the_server_actions_call_is_routed_to_its_service() -> None:
    objects = _objects("default", "web")
    routes = _one(objects, "VirtualService", "web-grpc")["spec"]["http"]
    for service, (port, grpc_services) in _browser_services().items():
        for grpc_service in grpc_services:
            route = _first_route(routes, f"/{grpc_service}/AnyMethod")
            assert _destination(route) == (service, port), grpc_service
    entrance = _one(objects, "Service", "web-grpc")
    assert "selector" not in entrance["spec"]
    assert entrance["spec"]["ports"] == [{"name": "grpc", "port": 50050, "appProtocol": "grpc"}]


def test_the_web_app_is_let_in_from_the_ingress_gateway_only() -> None:
    objects = _objects("default", "web")
    policy = _one(objects, "AuthorizationPolicy", "web")["spec"]
    assert policy["action"] == "ALLOW"
    assert policy["rules"] == [
        {
            "from": [{"source": {"principals": [INGRESS]}}],
            "to": [{"operation": {"ports": ["3000"], "methods": ["GET", "HEAD", "POST"]}}],
        }
    ]
    network = _one(objects, "NetworkPolicy", "web")["spec"]
    assert network["ingress"] == [
        {
            "from": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "istio-ingress"}
                    }
                }
            ],
            "ports": [{"protocol": "TCP", "port": 3000}],
        },
        {
            "from": [
                {
                    "namespaceSelector": {
                        "matchLabels": {"kubernetes.io/metadata.name": "monitoring"}
                    },
                    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}},
                }
            ],
            "ports": [{"protocol": "TCP", "port": 15090}],
        },
    ]


def test_the_web_app_goes_out_to_the_services_grpc_ports_dns_and_the_mesh_only() -> None:
    network = _one(_objects("default", "web"), "NetworkPolicy", "web")["spec"]
    peers = set()
    for rule in network["egress"]:
        [peer] = rule["to"]
        labels = json.dumps(peer, sort_keys=True)
        for port in rule["ports"]:
            peers.add((labels, port["protocol"], port["port"]))
    services = {
        (
            json.dumps({"podSelector": {"matchLabels": {"app.kubernetes.io/name": name}}}),
            "TCP",
            port,
        )
        for name, (port, _) in _browser_services().items()
    }
    dns = json.dumps(
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
            "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
        },
        sort_keys=True,
    )
    istiod = json.dumps(
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "istio-system"}},
            "podSelector": {"matchLabels": {"app": "istiod"}},
        },
        sort_keys=True,
    )
    collector = json.dumps(
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "observability"}},
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": "opentelemetry-collector"}},
        },
        sort_keys=True,
    )
    assert peers == services | {
        (dns, "UDP", 53),
        (dns, "TCP", 53),
        (istiod, "TCP", 15012),
        (collector, "TCP", 4317),
    }


@pytest.mark.parametrize("service", sorted(_browser_services()))
def test_each_service_admits_the_web_apps_identity_on_its_grpc_methods(service: str) -> None:
    port, grpc_services = _browser_services()[service]
    objects = _objects("default", service)
    rules = _one(objects, "AuthorizationPolicy", service)["spec"]["rules"]
    web = "cluster.local/ns/knowledge/sa/web"
    [rule] = [
        r for r in rules if web in r.get("from", [{}])[0].get("source", {}).get("principals", [])
    ]
    [operation] = rule["to"]
    assert operation["operation"] == {
        "ports": [str(port)],
        "paths": [f"/{grpc_service}/*" for grpc_service in grpc_services],
    }
    network = _one(objects, "NetworkPolicy", service)["spec"]
    assert {
        "from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "web"}}}],
        "ports": [{"protocol": "TCP", "port": port}],
    } in network["ingress"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_the_ingress_sends_each_path_to_its_service_and_every_other_to_the_web_app(
    scenario: str,
) -> None:
    table = browser_routes(load_manifest(REPO_ROOT), load_grpc_services(REPO_ROOT))
    ingress = _one(_objects(scenario, "mesh"), "VirtualService", "platform-ingress")["spec"]["http"]
    for websocket in table.websockets:
        route = _first_route(ingress, f"{websocket.path_prefix}spaces/s/canvases/c")
        assert _destination(route) == (websocket.service.replace("_", "-"), websocket.port)
        assert route["rewrite"] == {"uri": websocket.rewrite}
    for grpc_web in table.grpc_web:
        service = grpc_web.service.replace("_", "-")
        for grpc_service in grpc_web.grpc_services:
            assert _destination(_first_route(ingress, f"/{grpc_service}/Get"))[0] == service
        for method in grpc_web.streaming_methods:
            route = _first_route(ingress, method)
            assert _destination(route)[0] == service
            assert "retries" not in route
    for page in (
        "/",
        "/_next/static/chunks/app.js",
        "/spaces/s/documents/d",
        "/sign-in",
        "/healthz",
    ):
        assert _destination(_first_route(ingress, page)) == ("web", 3000), page
    assert ingress[-1]["name"] == "page"


def test_the_gateway_keeps_the_apps_security_headers_and_adds_hsts() -> None:
    config = (WEB / "next.config.mjs").read_text(encoding="utf-8")
    for header in APP_HEADERS:
        assert re.search(rf'key: "{header}"', config, re.IGNORECASE), header
    assert "frame-ancestors 'none'" in config
    ingress = _one(_objects("default", "mesh"), "VirtualService", "platform-ingress")["spec"]
    for route in ingress["http"]:
        response = (route.get("headers") or {}).get("response") or {}
        touched = {
            name.lower()
            for name in [
                *response.get("set", {}),
                *response.get("add", {}),
                *response.get("remove", []),
            ]
        }
        assert not touched & APP_HEADERS, route["name"]
    [page] = [route for route in ingress["http"] if route["name"] == "page"]
    assert page["headers"]["response"]["set"] == {
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains"
    }


def test_a_page_route_listed_before_the_grpc_web_routes_is_named(charts_copy: Path) -> None:
    template = charts_copy / "platform-charts/mesh/templates/ingress.yaml"
    page = template.read_text(encoding="utf-8")
    start = page.index("    {{- with .Values.page }}")
    end = page.index("    {{- end }}\n", page.index('"name" "page"')) + len("    {{- end }}\n")
    block = page[start:end]
    replace_once(template, block, "")
    replace_once(template, "    {{- $cors := include", block + "    {{- $cors := include")

    lines = [str(problem) for problem in check_charts(charts_copy).problems]

    assert (
        "default/mesh: VirtualService knowledge/platform-ingress: spec.http[0]: gRPC-web route "
        "/knowledge.auth.v1.AuthService/ → ms-auth is never reached: spec.http[0] (web:3000) is "
        "listed before spec.http[1] and matches its paths first"
    ) in lines, lines
    assert not [line for line in lines if "golden" not in line and "never reached" not in line], (
        lines
    )
