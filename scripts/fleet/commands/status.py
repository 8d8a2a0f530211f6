"""`fleet status`: template release, protos pin, content drift and uncommitted work per service."""

from __future__ import annotations

import json

import click
from rich.markup import escape
from rich.table import Table

from fleet.console import out
from fleet.manifest import load_manifest
from fleet.paths import find_repo_root
from fleet.template_ops.fleet_status import ServiceStatus, service_status
from fleet.template_ops.releases import latest_template_release

SHOWN_FILES = 3


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per service instead.")
def status(as_json: bool) -> None:
    """Each service's template release against the latest, its protos pin, drift and dirty state."""
    root = find_repo_root()
    manifest = load_manifest(root)
    latest = latest_template_release(root)
    rows: list[ServiceStatus] = []
    for position, service in enumerate(manifest.services, start=1):
        with out.status(f"[{position}/{len(manifest.services)}] checking {service.name}"):
            rows.append(service_status(root, service, latest))
    if as_json:
        out.print_json(json.dumps([row.as_json() for row in rows]))
        return
    out.print(_table(rows, latest))


def _table(rows: list[ServiceStatus], latest: str) -> Table:
    table = Table(
        "service",
        "template",
        "knowledge-protos",
        "content drift",
        "working copy",
        title=f"fleet status (latest template {latest})",
    )
    for row in rows:
        table.add_row(
            row.service,
            _template(row),
            _protos(row),
            _drift(row),
            _files(row.uncommitted, "clean"),
        )
    return table


def _template(row: ServiceStatus) -> str:
    if not row.stamped:
        return "[dim]not stamped[/]"
    if row.template_behind:
        return f"[yellow]{row.template_version} → {row.latest_template}[/]"
    return f"[green]{row.template_version}[/]"


def _protos(row: ServiceStatus) -> str:
    if row.protos_pin is None:
        return "[dim]no pin[/]"
    latest = row.latest_protos or "none published"
    style = "red" if row.protos_pin_admits_latest is False else "green"
    return f"[{style}]{row.protos_pin}[/] (latest {latest})"


def _drift(row: ServiceStatus) -> str:
    if not row.stamped:
        return "[dim]-[/]"
    if row.problem is not None:
        return f"[red]cannot tell: {escape(row.problem)}[/]"
    return _files(row.content_drift or [], "none")


def _files(files: list[str], nothing: str) -> str:
    if not files:
        return f"[green]{nothing}[/]"
    more = f" (+{len(files) - SHOWN_FILES} more)" if len(files) > SHOWN_FILES else ""
    return "[yellow]" + escape(", ".join(files[:SHOWN_FILES])) + more + "[/]"


command = status
