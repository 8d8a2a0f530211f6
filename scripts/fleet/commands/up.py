"""`fleet up`: the whole platform on one machine."""

from __future__ import annotations

import click

from fleet.console import err
from fleet.manifest import load_manifest
from fleet.paths import find_repo_root
from fleet.up.installation import install_services
from fleet.up.layout import UpLayout
from fleet.up.platform_run import PlatformRun, UpOptions, run_platform
from fleet.up.selection import is_stamped, select_services


@click.command("up")
@click.option(
    "--only", metavar="NAMES", help="Comma-separated services to run, e.g. ms_auth,ms_knowledge."
)
@click.option("--edge-port", type=click.IntRange(1024, 65535), default=8080, show_default=True)
@click.option("--broker-port", type=click.IntRange(1024, 65535), default=19092, show_default=True)
@click.option(
    "--timeout",
    type=click.FloatRange(1, 600),
    default=90,
    show_default=True,
    help="Seconds each process may take to become ready.",
)
def up(only: str | None, edge_port: int, broker_port: int, timeout: float) -> None:
    """Run every service of repos.yaml on SQLite and a local broker, behind the local edge."""
    root = find_repo_root()
    manifest = load_manifest(root)
    selected = select_services(manifest, only)
    services = [service for service in selected if is_stamped(root, service)]
    missing = [service.name for service in selected if service not in services]
    if missing:
        err.print(f"not created yet, so not started: {', '.join(missing)} (see `fleet new`)")
    if not services:
        err.print("nothing to run")
        return
    install_services(root, services)
    run = PlatformRun(
        root=root,
        manifest=manifest,
        services=services,
        layout=UpLayout.for_repository(root),
        options=UpOptions(broker_port=broker_port, edge_port=edge_port, start_timeout=timeout),
    )
    run_platform(run)


command = up
