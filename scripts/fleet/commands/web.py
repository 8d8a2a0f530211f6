"""`fleet web`: the web app (web/): its contract stubs for working on it, and its cached build."""

from __future__ import annotations

from pathlib import Path

import click

from fleet.console import out
from fleet.paths import find_repo_root
from fleet.web.build import built_web_app, web_sources, write_stubs


@click.group("web")
def group() -> None:
    """The web app, Next.js (web/)."""


command = group


@group.command("stubs")
@click.option(
    "--into",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="where to write them (default: web/protos, where the app's tsconfig looks)",
)
def stubs(into: Path | None) -> None:
    """Write the registry's TypeScript stubs for `npm run dev`, `next build` and tsc in web/."""
    root = find_repo_root()
    with out.status("building the TypeScript stubs"):
        written = write_stubs(root, into or web_sources(root) / "protos")
    out.print(f"@knowledge/protos in {written}", soft_wrap=True)


@group.command("build")
def build() -> None:
    """Build the app as `fleet up` serves it (cached per version of its sources) and say where."""
    root = find_repo_root()
    with out.status("building the web app"):
        built = built_web_app(root)
    out.print(f"web app built in {built}", soft_wrap=True)
