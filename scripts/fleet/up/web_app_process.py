"""The web app as a process of the run: `next start` on loopback, calling the services through the
edge's gRPC port; browsers reach it through the edge, at the page's address."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

from fleet.errors import FleetError
from fleet.up.layout import UpLayout
from fleet.up.ports import PortPlan
from fleet.up.processes import ManagedProcess
from fleet.up.service_env import LOCAL_HOST
from fleet.web.build import QUIET_NEXT, next_command

NAME = "web"
POLL_SECONDS = 0.2
READY_PATH = "/sign-in"


def web_app_process(layout: UpLayout, ports: PortPlan, app: Path) -> ManagedProcess:
    return ManagedProcess(
        name=NAME,
        command=next_command(app, "start", "--port", str(ports.web_app), "--hostname", LOCAL_HOST),
        log_path=layout.log_file(NAME),
        env={
            **QUIET_NEXT,
            "NODE_ENV": "production",
            "KNOWLEDGE_GRPC_TARGET": f"{LOCAL_HOST}:{ports.edge_grpc}",
        },
        cwd=app,
    )


def web_app_is_ready(port: int, timeout: float = 1.0) -> bool:
    try:
        with urllib.request.urlopen(
            f"http://{LOCAL_HOST}:{port}{READY_PATH}", timeout=timeout
        ) as reply:
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def wait_until_web_app_ready(process: ManagedProcess, port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.exit_code() is not None:
            raise FleetError(f"the web app exited while starting; see {process.log_path}")
        if web_app_is_ready(port):
            return
        time.sleep(POLL_SECONDS)
    raise FleetError(f"the web app did not answer on port {port} within {timeout:.0f}s")
