"""`fleet protos`: lint, gate, build and publish the platform's contracts (proto-registry/)."""

from __future__ import annotations

import click

from fleet.console import out
from fleet.paths import find_repo_root
from fleet.protos.layout import DISTRIBUTION, RegistryLayout
from fleet.protos.package_index import publish_file, simple_url
from fleet.protos.python_package import REQUIRES_PYTHON, build_wheel


@click.group("protos")
def group() -> None:
    """The contract workflow: edit → lint → breaking → bump → publish → pin."""


command = group


def _layout() -> RegistryLayout:
    return RegistryLayout(find_repo_root())


def _step(message: str) -> None:
    out.print(f"[bold]protos:[/] {message}", soft_wrap=True)


@group.command("build")
def build() -> None:
    """Generate and package the contracts: the knowledge-protos wheel."""
    layout = _layout()
    _step("generating Python code and packaging the wheel")
    wheel = build_wheel(layout)
    _step(f"built {wheel.relative_to(layout.root)} ({wheel.stat().st_size // 1024} KiB)")


@group.command("publish")
def publish() -> None:
    """Build the wheel and add it to the local package index (.fleet/index); never overwrites."""
    layout = _layout()
    _step("generating Python code and packaging the wheel")
    wheel = build_wheel(layout)
    published = publish_file(layout.index, DISTRIBUTION, wheel, requires_python=REQUIRES_PYTHON)
    if published.already_there:
        _step(f"{wheel.name} is already published with identical contents")
    else:
        _step(f"published {wheel.name} to {simple_url(layout.index)}")
