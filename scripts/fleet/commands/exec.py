"""`fleet exec`: run one command in every service repository, in parallel."""

from __future__ import annotations

import os

import click
from rich.markup import escape
from rich.table import Table

from fleet.console import out
from fleet.errors import FleetError
from fleet.manifest import load_manifest
from fleet.paths import find_repo_root
from fleet.template_ops.package_index import service_environment
from fleet.template_ops.parallel_run import RepositoryRun, run_in_repositories


@click.command("exec", context_settings={"ignore_unknown_options": True})
@click.option(
    "--tags", "-t", "tags", multiple=True, help="Only services with this tag (repeatable)."
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=min(4, os.cpu_count() or 1),
    show_default=True,
    help="How many repositories run at once.",
)
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
def run_everywhere(tags: tuple[str, ...], jobs: int, command: tuple[str, ...]) -> None:
    """Run COMMAND in each service repository (after `--`); fails if any repository fails."""
    root = find_repo_root()
    manifest = load_manifest(root)
    services = [s for s in manifest.services if not tags or set(tags) & set(s.tags)]
    if not services:
        raise FleetError(f"no service has tag(s) {', '.join(tags)}")
    directories = {s.name: root / s.path for s in services if (root / s.path).is_dir()}
    if not directories:
        raise FleetError(
            "none of the selected services has a working copy yet (fleet new stamps one)"
        )
    environment = {**os.environ, **service_environment(root)}

    def show(run: RepositoryRun) -> None:
        style = "green" if run.exit_code == 0 else "red"
        out.rule(f"[{style}]{run.service}: exit {run.exit_code}[/]", align="left")
        if run.output.strip():
            out.print(escape(run.output.rstrip()), soft_wrap=True)

    with out.status(f"running `{' '.join(command)}` in {len(directories)} repositories"):
        runs = run_in_repositories(list(command), directories, environment, jobs, show)
    table = Table("service", "exit", "last line", title=" ".join(command))
    for run in runs:
        style = "green" if run.exit_code == 0 else "red"
        table.add_row(run.service, f"[{style}]{run.exit_code}[/]", escape(run.last_line))
    out.print(table)
    failed = [run.service for run in runs if run.exit_code != 0]
    if failed:
        raise FleetError(f"`{' '.join(command)}` failed in {', '.join(failed)}")


command = run_everywhere
