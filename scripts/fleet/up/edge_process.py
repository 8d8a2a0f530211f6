"""The local edge as a process of the run: its routes come from repos.yaml, its page is the bundle,
and everything else goes to the web app."""

from __future__ import annotations

import json
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from fleet.edge.routes import websocket_routes
from fleet.errors import FleetError
from fleet.manifest import Service
from fleet.up.layout import UpLayout
from fleet.up.mail import sends_mail
from fleet.up.ports import PortPlan
from fleet.up.processes import ManagedProcess
from fleet.up.service_env import LOCAL_HOST

POLL_SECONDS = 0.1


def grpc_package(service: Service) -> str:
    """ms_auth serves knowledge.auth.v1 (the registry's package convention)."""
    return f"knowledge.{service.name.removeprefix('ms_')}.v1"


def edge_process(
    layout: UpLayout,
    services: list[Service],
    ports: PortPlan,
    page: Path,
    allowed_origins: tuple[str, ...] = (),
) -> ManagedProcess:
    by_name = {service.name: service for service in services}
    config = {
        "host": LOCAL_HOST,
        "allowed_origins": list(allowed_origins),
        "port": ports.edge,
        "grpc_port": ports.edge_grpc,
        "grpc_routes": {grpc_package(s): f"{LOCAL_HOST}:{ports.grpc(s)}" for s in services},
        # The cluster's ingress routes by the same table: same prefixes, same rewrites.
        "websocket_routes": [
            {
                "path_prefix": route.path_prefix,
                "rewrite": route.rewrite,
                "upstream": f"{LOCAL_HOST}:{ports.of(by_name[route.service])['websocket']}",
            }
            for route in websocket_routes(services)
        ],
        "static_dir": str(page),
        "web_app": f"{LOCAL_HOST}:{ports.web_app}",
    }
    if sends_mail(services):
        config["mail_sink"] = {"port": ports.mail_sink, "directory": str(layout.mails)}
    layout.edge_config.write_text(json.dumps(config, indent=2) + "\n")
    return ManagedProcess(
        name="edge",
        command=[sys.executable, "-m", "fleet.edge", str(layout.edge_config)],
        log_path=layout.log_file("edge"),
    )


def edge_is_ready(port: int, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(
            f"http://{LOCAL_HOST}:{port}/healthz", timeout=timeout
        ) as reply:
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def wait_until_edge_ready(process: ManagedProcess, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.exit_code() is not None:
            raise FleetError(f"the edge exited while starting; see {process.log_path}")
        if edge_is_ready(port):
            return
        time.sleep(POLL_SECONDS)
    raise FleetError(f"the edge did not answer on port {port} within {timeout:.0f}s")
