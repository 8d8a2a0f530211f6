"""`fleet kit`: the shared service runtime (kit/) as the package service repositories pin."""

from __future__ import annotations

import click

from fleet.console import err, out
from fleet.paths import find_repo_root
from fleet.protos.layout import RegistryLayout
from fleet.protos.package_index import simple_url
from fleet.template_ops.kit_publishing import DEFAULT_COMMIT, publish_kit


@click.group("kit")
def group() -> None:
    """The shared service runtime, knowledge-kit."""


command = group


@group.command("publish")
@click.option(
    "--commit",
    default=DEFAULT_COMMIT,
    show_default=True,
    metavar="REV",
    help="The commit whose kit/ to publish (its kit/pyproject.toml names the version).",
)
def publish(commit: str) -> None:
    """Build knowledge-kit from a commit and publish it into the local package index (.fleet/index).

    The wheel holds exactly what the commit's kit/ holds (git archive), never the working tree,
    so commit a kit release first, then publish it. Uncommitted changes in kit/ (yours, or a
    colleague's work in progress) are left out and listed, and the publish goes on: they are not
    part of any release yet, and the release that was committed is still the one to publish.
    It is refused, naming the uncommitted files, only when the working tree's kit/pyproject.toml
    names another version than HEAD's: then you meant to release that version, and publishing
    would give you HEAD's instead. A version that is already published with other contents is
    refused too (a published version never changes); with the same contents it is a no-op.
    """
    root = find_repo_root()
    with out.status("building knowledge-kit"):
        release = publish_kit(root, commit)
    if release.left_out:
        err.print(
            f"not in the wheel (uncommitted in kit/, the wheel holds {release.commit}): "
            + ", ".join(release.left_out),
            markup=False,
            soft_wrap=True,
        )
    state = "already published" if release.already_there else "published"
    index = simple_url(RegistryLayout(root).index)
    out.print(f"knowledge-kit {release.version}: {state} in {index}", soft_wrap=True)
