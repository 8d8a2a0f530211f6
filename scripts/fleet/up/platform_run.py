"""One local platform run: broker, services, the edge; stopped together on Ctrl-C.

Each service migrates its own SQLite database when it starts (the template's composition root
calls the kit's `upgrade_database` before serving), so a run needs no separate migration step.
"""

from __future__ import annotations

import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from rich.table import Table

from fleet.console import err, out
from fleet.infra.kafka import KafkaBroker, start_kafka
from fleet.manifest import Manifest, Service
from fleet.up.edge_process import edge_process, wait_until_edge_ready
from fleet.up.layout import UpLayout
from fleet.up.ports import ensure_ports_free
from fleet.up.processes import ManagedProcess
from fleet.up.readiness import wait_until_serving
from fleet.up.service_env import service_environment

SERVICE_STOP_GRACE = 15.0


@dataclass(frozen=True)
class UpOptions:
    broker_port: int = 19092
    edge_port: int = 8080
    start_timeout: float = 90.0


@dataclass
class PlatformRun:
    root: Path
    manifest: Manifest
    services: list[Service]
    layout: UpLayout
    options: UpOptions
    broker: KafkaBroker | None = None
    processes: list[ManagedProcess] = field(default_factory=list)

    def wanted_ports(self) -> dict[str, int]:
        ports = {"the local broker": self.options.broker_port, "the edge": self.options.edge_port}
        for service in self.services:
            for kind, port in service.ports.assigned().items():
                ports[f"{service.name} {kind}"] = port
        return ports

    def start(self) -> float:
        """Bring everything up; returns seconds to ready."""
        started = time.monotonic()
        ensure_ports_free(self.wanted_ports())
        with err.status("starting the local Kafka broker"):
            self.broker = start_kafka(workdir=self.layout.broker, port=self.options.broker_port)
        with err.status("starting services") as status:
            for service in self.services:
                process = ManagedProcess(
                    name=service.name,
                    command=[sys.executable, "-m", service.import_package],
                    log_path=self.layout.log_file(service.name),
                    env=service_environment(
                        service, self.manifest, self.layout, self.broker.bootstrap
                    ),
                    cwd=self.root / service.path,
                )
                process.start()
                self.processes.append(process)
            for process, service in zip(self.processes, self.services, strict=True):
                status.update(f"waiting for {service.name} to report SERVING")
                wait_until_serving(process, service.ports.grpc, self.options.start_timeout)
            edge = edge_process(self.layout, self.services, self.options.edge_port)
            edge.start()
            self.processes.append(edge)
            status.update("waiting for the edge")
            wait_until_edge_ready(edge, self.options.edge_port, self.options.start_timeout)
        return time.monotonic() - started

    def table(self) -> Table:
        table = Table("process", "pid", "listens on", "state", "memory", "log", title="platform")
        for process in self.processes:
            service = next((s for s in self.services if s.name == process.name), None)
            if service is not None:
                ports = ", ".join(
                    f"{kind} {port}" for kind, port in service.ports.assigned().items()
                )
                state = "SERVING"
            else:
                ports = f"http {self.options.edge_port} (gRPC-web, WebSocket, page)"
                state = "ready"
            memory = process.resident_megabytes()
            table.add_row(
                process.name,
                str(process.pid),
                ports,
                state,
                f"{memory:.0f} MB" if memory is not None else "-",
                str(process.log_path.relative_to(self.root)),
            )
        if self.broker is not None:
            table.add_row(
                "kafka",
                str(self.broker.process.pid if self.broker.process else "-"),
                f"kafka {self.options.broker_port}",
                "ready",
                "-",
                str(self.broker.logfile.relative_to(self.root)),
            )
        return table

    def watch(self) -> None:
        """Block until Ctrl-C or SIGTERM; report processes that die meanwhile."""
        reported: set[str] = set()
        while True:
            for process in self.processes:
                code = process.exit_code()
                if code is not None and process.name not in reported:
                    reported.add(process.name)
                    err.print(f"{process.name} exited with code {code}; see {process.log_path}")
            time.sleep(0.5)

    def stop(self) -> None:
        for process in reversed(self.processes):
            process.stop(grace=SERVICE_STOP_GRACE)
        if self.broker is not None:
            self.broker.stop()


def run_platform(run: PlatformRun) -> None:
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        ready_in = run.start()
        out.print(run.table())
        out.print(
            f"ready in {ready_in:.1f}s · page and gRPC-web at http://127.0.0.1:"
            f"{run.options.edge_port}/ · Ctrl-C stops everything"
        )
        run.watch()
    except KeyboardInterrupt:
        err.print("stopping")
    finally:
        run.stop()
        signal.signal(signal.SIGTERM, previous)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
