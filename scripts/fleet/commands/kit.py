"""`fleet kit`: the shared service runtime (kit/) as the package service repositories pin."""

from __future__ import annotations

import click

from fleet.console import out
from fleet.paths import find_repo_root
from fleet.protos.layout import RegistryLayout
from fleet.protos.package_index import simple_url
from fleet.template_ops.kit_publishing import publish_kit


@click.group("kit")
def group() -> None:
    """The shared service runtime, knowledge-kit."""


command = group


@group.command("publish")
def publish() -> None:
    """Build knowledge-kit and publish it into the local package index (.fleet/index)."""
    root = find_repo_root()
    with out.status("building knowledge-kit"):
        release = publish_kit(root)
    state = "already published" if release.already_there else "published"
    index = simple_url(RegistryLayout(root).index)
    out.print(f"knowledge-kit {release.version}: {state} in {index}", soft_wrap=True)
