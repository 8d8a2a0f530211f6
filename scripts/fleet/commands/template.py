"""`fleet template`: cut and list releases of the service template."""

from __future__ import annotations

import click
from rich.table import Table

from fleet.console import out
from fleet.errors import FleetError
from fleet.paths import find_repo_root
from fleet.template_ops.git import git
from fleet.template_ops.release_record import RECORD, recorded_releases, write_record
from fleet.template_ops.releases import release_key, template_releases

TEMPLATE_SOURCES = ("copier.yml", "template/project")


@click.group("template")
def group() -> None:
    """Releases of the service template (what `fleet new` stamps and `fleet update` rolls out)."""


@group.command("release")
@click.argument("version")
@click.option("-m", "--message", default="", help="What the release changes, for the tag.")
def release(version: str, message: str) -> None:
    """Release the committed template as VERSION (X.Y.Z, newer than the last release)."""
    root = find_repo_root()
    release_key(version)
    releases = template_releases(root)
    if releases and release_key(version) <= release_key(releases[-1]):
        raise FleetError(f"release {version} must be newer than the latest, {releases[-1]}")
    uncommitted = git("status", "--porcelain", "--", *TEMPLATE_SOURCES, cwd=root).splitlines()
    if uncommitted:
        files = ", ".join(line[3:] for line in uncommitted)
        raise FleetError(f"commit the template change before releasing it: {files}")
    commit = git("rev-parse", "HEAD", cwd=root).strip()
    git("tag", "-a", version, "-m", f"service template {version}: {message}".rstrip(": "), cwd=root)
    write_record(root, {**recorded_releases(root), version: commit})
    out.print(
        f"template {version} released at {commit[:12]}; commit {RECORD} so every clone has it, "
        "then `fleet update --all` rolls it out",
        soft_wrap=True,
    )


@group.command("releases")
def releases() -> None:
    """Every template release, oldest first, with the commit it was cut from."""
    root = find_repo_root()
    table = Table("release", "commit", title="template releases")
    for version in template_releases(root):
        table.add_row(
            version, git("rev-parse", "--short=12", f"{version}^{{commit}}", cwd=root).strip()
        )
    out.print(table)


command = group
