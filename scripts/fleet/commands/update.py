"""`fleet update`: roll a template release across the stamped service repositories."""

from __future__ import annotations

import click
from rich.markup import escape
from rich.table import Table

from fleet.console import out
from fleet.errors import FleetError
from fleet.manifest import load_manifest
from fleet.paths import find_repo_root
from fleet.template_ops.registration import record_template_version
from fleet.template_ops.releases import checked_release, latest_template_release
from fleet.template_ops.stamp_record import is_stamped
from fleet.template_ops.updating import UpdateOutcome, UpdateState, update_service

SHOWN_FILES = 4


@click.command("update")
@click.argument("name", required=False)
@click.option("--all", "every_service", is_flag=True, help="Update every stamped service.")
@click.option(
    "--release", metavar="X.Y.Z", help="Template release to update to (default: the latest)."
)
def update(name: str | None, every_service: bool, release: str | None) -> None:
    """Update one service (NAME) or --all to a template release; fails on any conflict."""
    if bool(name) == every_service:
        raise FleetError("name one service to update, or pass --all")
    root = find_repo_root()
    manifest = load_manifest(root)
    target = checked_release(root, release) if release else latest_template_release(root)
    if name:
        services = [manifest.service(name)]
        if not is_stamped(root / services[0].path):
            raise FleetError(f"{name} is not stamped from the template ({services[0].path})")
    else:
        services = [service for service in manifest.services if is_stamped(root / service.path)]
        if not services:
            raise FleetError("no service in repos.yaml is stamped from the template yet")
    outcomes: list[UpdateOutcome] = []
    for position, service in enumerate(services, start=1):
        with out.status(
            f"[{position}/{len(services)}] updating {service.name} to template {target}"
        ):
            outcome = update_service(root, service.name, root / service.path, target)
        if outcome.state is UpdateState.UPDATED:
            record_template_version(root, service.name, target)
        outcomes.append(outcome)
    out.print(_summary(outcomes, target))
    if any(outcome.state is UpdateState.UPDATED for outcome in outcomes):
        out.print("review the changes (git diff services repos.yaml) and commit them", markup=False)
    failed = [outcome for outcome in outcomes if outcome.failed]
    if failed:
        raise FleetError("update incomplete: " + "; ".join(_failure(outcome) for outcome in failed))


def _summary(outcomes: list[UpdateOutcome], target: str) -> Table:
    table = Table("service", "from", "to", "result", "files", title=f"template {target}")
    for outcome in outcomes:
        style = {"updated": "green", "already current": "dim"}.get(outcome.state.value, "red")
        table.add_row(
            outcome.service,
            outcome.from_version,
            outcome.to_version,
            f"[{style}]{outcome.state.value}[/]",
            escape(outcome.problem) if outcome.problem else _files(outcome.files),
        )
    return table


def _files(files: list[str]) -> str:
    shown = escape(", ".join(files[:SHOWN_FILES]))
    return shown + (f" (+{len(files) - SHOWN_FILES} more)" if len(files) > SHOWN_FILES else "")


def _failure(outcome: UpdateOutcome) -> str:
    if outcome.state is UpdateState.FAILED:
        return outcome.problem
    if outcome.state is UpdateState.CONFLICT:
        return (
            f"{outcome.service} conflicts in {', '.join(outcome.files)} (nothing was changed in it)"
        )
    return (
        f"{outcome.service} has uncommitted changes in {_files(outcome.files)} (commit them first)"
    )


command = update
