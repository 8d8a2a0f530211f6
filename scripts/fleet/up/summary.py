"""What `fleet up` shows once everything is ready: a table of what runs where, and how to use it."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from fleet.console import out
from fleet.edge.app import CLASSIC_PAGE_PATH
from fleet.up.platform_run import PlatformRun
from fleet.up.processes import resident_megabytes
from fleet.up.service_env import LOCAL_HOST

WIDE_ENOUGH = 160
"""Columns when stdout is not a terminal (a log, a pipe): rich would otherwise wrap at 80."""


def platform_table(run: PlatformRun) -> Table:
    table = Table("process", "pid", "listens on", "state", "memory", "log", title="platform")
    services = {service.name: service for service in run.services}
    for process in run.processes:
        service = services.get(process.name)
        if service is not None:
            listens = ", ".join(f"{kind} {port}" for kind, port in run.ports.of(service).items())
            state = "SERVING"
        elif process.name == "edge":
            listens = (
                f"http {run.ports.edge} (app, gRPC-web, WebSocket), grpc {run.ports.edge_grpc}"
            )
            state = "ready"
        else:
            listens = f"http {run.ports.web_app} (the app, behind the edge)"
            state = "ready"
        table.add_row(
            process.name,
            str(process.pid),
            listens,
            state,
            _megabytes(process.resident_megabytes()),
            process.log_path.name,
        )
    broker = run.broker
    if broker is not None and broker.process is not None:
        table.add_row(
            "kafka",
            str(broker.process.pid),
            f"kafka {broker.port}",
            "ready",
            _megabytes(resident_megabytes(broker.process.pid)),
            run.layout.log_file("kafka").name,
        )
    return table


def show_ready(run: PlatformRun) -> None:
    console = out if out.is_terminal else Console(highlight=False, width=WIDE_ENOUGH)
    console.print(platform_table(run))
    console.print(f"logs   {_shown(run.layout.logs)}/")
    console.print(f"data   {_shown(run.layout.data)}/ (kept for the next run)")
    console.print(f"app    http://{LOCAL_HOST}:{run.ports.edge}/ (and gRPC-web at that address)")
    console.print(
        f"page   http://{LOCAL_HOST}:{run.ports.edge}{CLASSIC_PAGE_PATH} (the classic page)"
    )
    console.print(f"gRPC   {LOCAL_HOST}:{run.ports.edge_grpc} (every service, by package)")
    console.print(f"ready in {run.progress.elapsed():.1f}s · Ctrl-C stops everything")


def _megabytes(value: float | None) -> str:
    return f"{value:.0f} MB" if value is not None else "-"


def _shown(path: Path) -> str:
    """Relative to the working directory when inside it: shorter, and copy-pasteable."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
