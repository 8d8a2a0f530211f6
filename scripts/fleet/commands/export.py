"""`fleet export`: materialise every service as its own git repository (the multi-repo layout)."""

from __future__ import annotations

from pathlib import Path

import click
from rich.table import Table

from fleet.console import out
from fleet.errors import FleetError
from fleet.manifest import load_manifest
from fleet.paths import find_repo_root
from fleet.template_ops.exporting import PLATFORM_REPOSITORY, export_platform, export_service


@click.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--template-url",
    metavar="URL",
    help="Where exported services fetch template updates from, e.g. the platform "
    "repository's git URL (default: a clone of it exported alongside them).",
)
def export(directory: Path, template_url: str | None) -> None:
    """Write each service under DIRECTORY as a git repository, ready to push."""
    root = find_repo_root()
    manifest = load_manifest(root)
    services = [s for s in manifest.services if (root / s.path).is_dir()]
    if not services:
        raise FleetError("no service has a working copy to export yet (fleet new stamps one)")
    target = directory.resolve()
    target.mkdir(parents=True, exist_ok=True)
    table = Table("repository", "template", "path", title=f"exported to {target}")
    if template_url is None:
        with out.status("cloning the platform repository (the template's source)"):
            clone = export_platform(root, target)
        table.add_row(PLATFORM_REPOSITORY, "source", str(clone))
        template_url = f"../{PLATFORM_REPOSITORY}"
    for position, service in enumerate(services, start=1):
        with out.status(f"[{position}/{len(services)}] exporting {service.name}"):
            exported = export_service(root, service.name, root / service.path, target, template_url)
        table.add_row(exported.name, exported.template_version or "not stamped", str(exported.path))
    out.print(table)


command = export
