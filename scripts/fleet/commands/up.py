"""`fleet up`: the whole platform on one machine."""

from __future__ import annotations

from pathlib import Path

import click

from fleet.edge.origins import origin_problem
from fleet.errors import FleetError
from fleet.manifest import load_manifest
from fleet.paths import find_repo_root
from fleet.up.installation import install_services
from fleet.up.layout import UpLayout
from fleet.up.leftovers import stop_leftovers
from fleet.up.ownership import owning
from fleet.up.platform_run import PlatformRun, run_platform
from fleet.up.ports import PortPlan, ensure_browsers_may_load, ensure_ports_free
from fleet.up.progress import Progress
from fleet.up.selection import is_stamped, select_services
from fleet.up.summary import show_ready


@click.command("up")
@click.option(
    "--only", metavar="NAMES", help="Comma-separated services to run, e.g. ms_auth,ms_knowledge."
)
@click.option("--edge-port", type=click.IntRange(1024, 65535), default=8080, show_default=True)
@click.option("--edge-grpc-port", type=click.IntRange(1024, 65535), default=8090, show_default=True)
@click.option("--broker-port", type=click.IntRange(1024, 65535), default=19092, show_default=True)
@click.option(
    "--port-offset",
    type=click.IntRange(-50000, 50000),
    default=0,
    show_default=True,
    help="Added to every port of the run: the services' (repos.yaml), the broker's, the edge's.",
)
@click.option(
    "--state-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where data, logs and the broker live between runs  [default: .fleet/up]",
)
@click.option(
    "--allow-origin",
    "allowed_origins",
    multiple=True,
    metavar="ORIGIN",
    envvar="FLEET_UP_ALLOW_ORIGINS",
    help="A web page besides the edge's own that may call the platform, e.g. "
    "http://localhost:3000; repeatable (the variable takes several, space-separated).",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1, 600),
    default=90,
    show_default=True,
    help="Seconds each process may take to become ready.",
)
def up(
    only: str | None,
    edge_port: int,
    edge_grpc_port: int,
    broker_port: int,
    port_offset: int,
    state_dir: Path | None,
    allowed_origins: tuple[str, ...],
    timeout: float,
) -> None:
    """Run every service of repos.yaml on SQLite and a local broker, behind the local edge."""
    progress = Progress()
    ports = PortPlan(
        edge=edge_port + port_offset,
        edge_grpc=edge_grpc_port + port_offset,
        broker=broker_port + port_offset,
        offset=port_offset,
    )
    ensure_browsers_may_load(ports.edge)
    for origin in allowed_origins:
        problem = origin_problem(origin)
        if problem is not None:
            raise FleetError(f"--allow-origin '{origin}' {problem}")
    root = find_repo_root()
    manifest = load_manifest(root)
    selected = select_services(manifest, only)
    services = [service for service in selected if is_stamped(root, service)]
    missing = [service.name for service in selected if service not in services]
    if missing:
        progress.note(f"not created yet, so not started: {', '.join(missing)} (see `fleet new`)")
    if not services:
        raise FleetError("nothing to run: none of these services is created yet")
    layout = UpLayout.at(state_dir or UpLayout.default_home(root))
    with owning(layout.home):
        # Only now is a process of this directory certainly a killed run's.
        leftovers = stop_leftovers(layout.home, layout.broker)
        for pid in leftovers.broker:
            progress.note(f"stopped the broker a killed run left running (pid {pid})")
        if leftovers.processes:
            pids = ", ".join(str(pid) for pid in leftovers.processes)
            progress.note(f"waited for the processes of a killed run to stop (pid {pids})")
        ensure_ports_free(ports.wanted(services))
        install_services(root, services, progress)
        run = PlatformRun(
            root=root,
            manifest=manifest,
            services=services,
            layout=layout,
            ports=ports,
            start_timeout=timeout,
            progress=progress,
            allowed_origins=allowed_origins,
        )
        run_platform(run, show_ready)


command = up
