"""`fleet install`: every created service into this environment, so tests and `up` import it."""

from __future__ import annotations

import click

from fleet.manifest import load_manifest
from fleet.paths import find_repo_root
from fleet.up.installation import install_services
from fleet.up.progress import Progress
from fleet.up.selection import is_stamped


@click.command("install")
@click.option(
    "--with-tests",
    is_flag=True,
    help="Also install what each service's tests need (its test extra).",
)
def install(with_tests: bool) -> None:
    """pip install -e each created service whose pyproject.toml changed since its last install."""
    root = find_repo_root()
    services = [s for s in load_manifest(root).services if is_stamped(root, s)]
    install_services(root, services, Progress(), with_tests=with_tests)


command = install
