"""One local platform run: broker, services, the edge; stopped together on Ctrl-C or SIGTERM.

Each service migrates its own SQLite database when it starts (the template's composition root
calls the kit's `upgrade_database` before serving), so a run needs no separate migration step.
"""

from __future__ import annotations

import contextlib
import functools
import signal
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from fleet.console import err
from fleet.edge.page_bundle import page_bundle
from fleet.errors import FleetError
from fleet.infra.kafka import KafkaBroker, start_kafka
from fleet.infra.session import terminate_as_interrupt
from fleet.manifest import Manifest, Service
from fleet.up.edge_process import edge_is_ready, edge_process, wait_until_edge_ready
from fleet.up.layout import UpLayout
from fleet.up.leftovers import RUN_STATE_DIR_VARIABLE
from fleet.up.ports import PortPlan
from fleet.up.processes import ManagedProcess
from fleet.up.progress import Progress
from fleet.up.readiness import is_serving, wait_until_serving
from fleet.up.service_env import service_environment
from fleet.up.supervision import Supervisor
from fleet.up.web_app_process import (
    wait_until_web_app_ready,
    web_app_is_ready,
    web_app_process,
)
from fleet.web.build import built_web_app

SERVICE_STOP_GRACE = 15.0
WATCH_SECONDS = 0.5
READY_PROBE_SECONDS = 0.2
"""How long one readiness probe of a restarted process may hold up the watch."""


@dataclass
class PlatformRun:
    root: Path
    manifest: Manifest
    services: list[Service]
    layout: UpLayout
    ports: PortPlan
    start_timeout: float
    progress: Progress
    allowed_origins: tuple[str, ...] = ()
    broker: KafkaBroker | None = None
    processes: list[ManagedProcess] = field(default_factory=list)

    def start(self) -> None:
        """Bring everything up, each step reported as it finishes."""
        with (
            self.progress.step("starting the local Kafka broker and building the page and the app"),
            ThreadPoolExecutor(max_workers=2) as background,
        ):
            broker = background.submit(self._start_broker)
            app = background.submit(built_web_app, self.root)
            page = page_bundle(self.root)
            bootstrap = broker.result().bootstrap
            web_app = app.result()
        started = [self._start(self._service_process(s, bootstrap)) for s in self.services]
        # The edge needs no service to be up to start, so it starts alongside them.
        edge = self._start(
            edge_process(self.layout, self.services, self.ports, page, self.allowed_origins)
        )
        web = self._start(web_app_process(self.layout, self.ports, web_app))
        for process, service in zip(started, self.services, strict=True):
            with self.progress.step(f"{service.name} SERVING"):
                wait_until_serving(process, self.ports.grpc(service), self.start_timeout)
        with self.progress.step("edge ready"):
            wait_until_edge_ready(edge, self.ports.edge, self.start_timeout)
        with self.progress.step("web app ready"):
            wait_until_web_app_ready(web, self.ports.web_app, self.start_timeout)

    def _start_broker(self) -> KafkaBroker:
        broker_log = self.layout.broker / "server.log"
        # A previous run's log says "started" already; each run's log starts empty.
        broker_log.unlink(missing_ok=True)
        linked = self.layout.log_file("kafka")
        if not linked.is_symlink():
            linked.symlink_to(broker_log)
        # Set here, not from the future: an interrupted start must still stop a started broker.
        self.broker = start_kafka(workdir=self.layout.broker, port=self.ports.broker)
        return self.broker

    def _service_process(self, service: Service, bootstrap: str) -> ManagedProcess:
        return ManagedProcess(
            name=service.name,
            command=[sys.executable, "-m", service.import_package],
            log_path=self.layout.log_file(service.name),
            env=service_environment(
                service,
                self.manifest,
                self.layout,
                self.ports,
                bootstrap,
                running=[started.name for started in self.services],
            ),
            cwd=self.root / service.path,
        )

    def _start(self, process: ManagedProcess) -> ManagedProcess:
        # How the next run on this directory finds it, should this run be killed.
        process.env[RUN_STATE_DIR_VARIABLE] = str(self.layout.home)
        process.start()
        self.processes.append(process)
        return process

    def watch(self) -> None:
        """Block until Ctrl-C or SIGTERM, restarting processes that die meanwhile; FleetError
        when one keeps dying."""
        supervisor = Supervisor(report=lambda line: err.print(line, markup=False))
        services = {service.name: service for service in self.services}
        for process in self.processes:
            service = services.get(process.name)
            if service is not None:
                port = self.ports.grpc(service)
                serving = functools.partial(is_serving, port, READY_PROBE_SECONDS)
                supervisor.supervise(process, serving, "SERVING")
            elif process.name == "edge":
                edge_ready = functools.partial(edge_is_ready, self.ports.edge, READY_PROBE_SECONDS)
                supervisor.supervise(process, edge_ready, "ready")
            else:
                app_ready = functools.partial(
                    web_app_is_ready, self.ports.web_app, READY_PROBE_SECONDS
                )
                supervisor.supervise(process, app_ready, "ready")
        while True:
            supervisor.check()
            time.sleep(WATCH_SECONDS)

    def stop(self) -> None:
        """The edge first, then the services, the broker last (services flush to it)."""
        with _signals_deferred():
            for process in reversed(self.processes):
                process.stop(grace=SERVICE_STOP_GRACE)
            if self.broker is not None:
                self.broker.stop()


def run_platform(run: PlatformRun, show_ready: Callable[[PlatformRun], None]) -> None:
    """Start, show what runs where, and keep running until Ctrl-C or SIGTERM; always stop all."""
    # SIGTERM from a service manager, SIGHUP from a closed terminal: both stop everything cleanly.
    with terminate_as_interrupt(signal.SIGTERM, signal.SIGHUP):
        try:
            run.start()
            show_ready(run)
            run.watch()
        except KeyboardInterrupt:
            err.print("stopping the platform")
        except FleetError:
            err.print("stopping the platform")
            raise
        finally:
            run.stop()
    err.print("stopped")


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """A second Ctrl-C while stopping must not leave processes behind."""
    stopping_signals = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in stopping_signals}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
