"""`fleet protos`: lint, gate, bump, build and publish the platform's contracts (proto-registry/)."""

from __future__ import annotations

import click

from fleet.console import out
from fleet.paths import find_repo_root
from fleet.protos.gate import bump_version, check_version, require_lint_clean
from fleet.protos.go_module import build_go, go_module_path
from fleet.protos.layout import RegistryLayout
from fleet.protos.package_index import simple_url
from fleet.protos.publishing import publish as publish_version
from fleet.protos.python_package import build_wheel
from fleet.protos.semver import Bump
from fleet.protos.typescript_package import build_typescript


@click.group("protos")
def group() -> None:
    """The contract workflow: edit → lint → breaking → bump → publish → pin."""


command = group


def _layout() -> RegistryLayout:
    return RegistryLayout(find_repo_root())


def _step(message: str) -> None:
    out.print(f"[bold]protos:[/] {message}", soft_wrap=True, markup=True, highlight=False)


@group.command("lint")
def lint() -> None:
    """buf lint (STANDARD) over every contract."""
    layout = _layout()
    require_lint_clean(layout)
    _step(f"lint clean: {len(layout.proto_files())} files")


@group.command("breaking")
def breaking() -> None:
    """Fail unless VERSION is a large-enough bump for the changes since the last release."""
    version, changes = check_version(_layout())
    if changes.since is None:
        _step(f"nothing released yet; VERSION {version} will be the first release")
    elif changes.since.version == version:
        _step(f"no changes since release {version}")
    else:
        _step(f"VERSION {version} over release {changes.since.version}: {changes.describe()}")


@group.command("bump")
@click.argument("level", required=False, type=click.Choice(["major", "minor", "patch"]))
def bump(level: str | None) -> None:
    """Set VERSION to the next version the changes since the last release need (or LEVEL)."""
    requested = Bump[level.upper()] if level else None
    version, changes = bump_version(_layout(), requested)
    _step(f"VERSION is now {version} ({changes.describe()})")


TARGETS = ("python", "typescript", "go")


@group.command("build")
@click.option(
    "--only",
    "only",
    multiple=True,
    type=click.Choice(TARGETS),
    help="Build just these packages (repeatable); all three by default.",
)
def build(only: tuple[str, ...]) -> None:
    """Generate and package the contracts: Python wheel, TypeScript package, Go module."""
    layout = _layout()
    targets = only or TARGETS
    if "python" in targets:
        _step("Python: generating code and packaging the wheel")
        wheel = build_wheel(layout)
        _step(f"built {wheel.relative_to(layout.root)} ({wheel.stat().st_size // 1024} KiB)")
    if "typescript" in targets:
        _step("TypeScript: npm ci (cached), protoc-gen-es, tsc")
        package = build_typescript(layout, layout.build / "typescript")
        _step(f"built {package.relative_to(layout.root)} (src/ and compiled dist/)")
    if "go" in targets:
        _step("Go: go install of the pinned generators (cached), protoc-gen-go(-grpc), go build")
        module = build_go(layout, layout.build / "go")
        _step(f"built {module.relative_to(layout.root)} (module {go_module_path(layout)})")


@group.command("publish")
def publish() -> None:
    """Gate, build and add knowledge-protos VERSION to the local index (.fleet/index)."""
    layout = _layout()
    publication = publish_version(layout, _step)
    if publication.already_published:
        _step(f"{publication.wheel.name} was already published with identical contents")
    else:
        _step(f"published {publication.wheel.name} to {simple_url(layout.index)}")
    if publication.newly_released:
        _step(f"commit proto-registry/VERSION and proto-registry/releases/{publication.version}")
