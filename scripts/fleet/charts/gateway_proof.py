"""Where the gRPC-web filter lands, by Istio's own configuration generation: istiod's code, built
from the Go module proxy (platform-charts/tools/istio-gateway), generates the listeners the ingress
gateway's pods would receive for the rendered Gateways and EnvoyFilters, and every HTTPS listener
must carry envoy.filters.http.grpc_web before the router. A filter matching no listener is silently
ignored by Istio, and browsers' gRPC-web calls would reach the services unconverted (415).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

from fleet.charts.go_tools import built_go_tool
from fleet.charts.layout import CHARTS_DIR
from fleet.charts.problems import Problem
from fleet.charts.rendered import RenderedObject, RenderedScenario
from fleet.errors import FleetError
from fleet.protos.tools import summarize_output

SOURCE = "tools/istio-gateway"
PINNED = ("go.mod", "go.sum", "gateway_test.go")
GRPC_WEB = "envoy.filters.http.grpc_web"
ROUTER = "envoy.filters.http.router"
ISTIO_CODE = "istiod's code, istio.io/istio eed52ebb66ad"
_LISTENER = re.compile(r"listener (\d+) filters ?(.*)$")

_results: dict[str, dict[int, list[str]]] = {}


def gateway_proof(root: Path) -> Path:
    """The Go test binary wrapping istiod's configuration generation (built once, ~130 MB)."""
    return built_go_tool(
        root / CHARTS_DIR / SOURCE,
        PINNED,
        "gatewayproof.test",
        ["test", "-c", "-o", "{output}", "."],
    )


def grpc_web_landing_problems(scenario: RenderedScenario, binary: Path) -> list[Problem]:
    """For each EnvoyFilter inserting the gRPC-web filter: the HTTPS listeners Istio generates for
    the gateway it selects that lack it."""
    problems: list[Problem] = []
    config = [o.document for o in scenario.objects if o.kind in ("Gateway", "EnvoyFilter")]
    for envoy_filter in scenario.of_kind("EnvoyFilter"):
        index = _grpc_web_patch(envoy_filter)
        if index is None:
            continue
        labels = dict((envoy_filter.spec.get("workloadSelector") or {}).get("labels") or {})
        listeners = _generated_listeners(
            binary, config, envoy_filter.namespace, labels, scenario.gateway_target_ports
        )
        field = f"spec.configPatches[{index}]"
        if not listeners:
            message = (
                f"Istio's configuration generation ({ISTIO_CODE}) gives the gateway "
                f"{_shown(labels)} no HTTPS listener to carry {GRPC_WEB}"
            )
            problems.append(scenario.problem(envoy_filter, field, message))
        for port, filters in sorted(listeners.items()):
            if _before_router(filters):
                continue
            message = (
                f"Istio's configuration generation ({ISTIO_CODE}) puts no {GRPC_WEB} before the "
                f"router on the gateway's HTTPS listener {port} (its HTTP filters: "
                f"{', '.join(filters)}): browsers' gRPC-web calls would reach the services "
                "unconverted"
            )
            problems.append(scenario.problem(envoy_filter, field, message))
    return problems


def _grpc_web_patch(envoy_filter: RenderedObject) -> int | None:
    for index, patch in enumerate(envoy_filter.spec.get("configPatches") or []):
        if ((patch.get("patch") or {}).get("value") or {}).get("name") == GRPC_WEB:
            return index
    return None


def _before_router(filters: list[str]) -> bool:
    return (
        GRPC_WEB in filters
        and ROUTER in filters
        and filters.index(GRPC_WEB) < filters.index(ROUTER)
    )


def _shown(labels: dict[str, str]) -> str:
    return ",".join(f"{key}={value}" for key, value in sorted(labels.items()))


def _generated_listeners(
    binary: Path,
    config: list[dict[str, Any]],
    namespace: str,
    labels: dict[str, str],
    target_ports: dict[int, int],
) -> dict[int, list[str]]:
    """HTTP filters of each HTTPS listener Istio generates for the gateway, by port; kept per
    input for the life of the process."""
    ports = ",".join(f"{port}:{target}" for port, target in sorted(target_ports.items()))
    environment = {
        "GATEWAY_NAMESPACE": namespace,
        "GATEWAY_LABELS": _shown(labels),
        "GATEWAY_PORTS": ports,
    }
    key = hashlib.sha256(json.dumps([config, environment], sort_keys=True).encode()).hexdigest()
    if key not in _results:
        _results[key] = _run(binary, config, environment)
    return _results[key]


def _run(
    binary: Path, config: list[dict[str, Any]], environment: dict[str, str]
) -> dict[int, list[str]]:
    with tempfile.TemporaryDirectory(prefix="gateway-proof-") as scratch:
        path = Path(scratch) / "config.yaml"
        path.write_text(yaml.safe_dump_all(config, sort_keys=False), encoding="utf-8")
        result = subprocess.run(
            [str(binary), "-test.run", "TestGatewayListeners", "-test.v"],
            env={**os.environ, **environment, "GATEWAY_CONFIG": str(path)},
            capture_output=True,
            text=True,
            check=False,
            cwd=scratch,
        )
    if result.returncode != 0:
        raise FleetError(
            f"Istio's configuration generation: {summarize_output(result.stdout + result.stderr)}"
        )
    listeners: dict[int, list[str]] = {}
    for line in result.stdout.splitlines():
        found = _LISTENER.search(line)
        if found:
            listeners[int(found.group(1))] = found.group(2).split()
    return listeners
