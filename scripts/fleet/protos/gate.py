"""The version gate: which bump the changes since the last release need, and whether VERSION has it."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from fleet.errors import FleetError
from fleet.protos.buf import breaking_violations, lint_violations, write_image
from fleet.protos.layout import RegistryLayout
from fleet.protos.releases import Release, contracts_of_image, last_release, sources_checksums
from fleet.protos.semver import Bump, Version, read_version, write_version


@dataclass(frozen=True)
class Changes:
    """What changed since the last release, and the smallest bump that describes it."""

    since: Release | None
    needed: Bump
    breaking: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.needed is Bump.MAJOR:
            more = f" (and {len(self.breaking) - 1} more)" if len(self.breaking) > 1 else ""
            return f"breaking change {self.breaking[0]}{more}"
        if self.needed is Bump.MINOR:
            return "compatible additions or changes to the contracts"
        if self.needed is Bump.PATCH:
            return "comment or formatting changes only"
        return "no changes"


def require_lint_clean(layout: RegistryLayout) -> None:
    problems = lint_violations(layout)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise FleetError(f"buf lint: {problems[0]}{more}")


def changes_since_last_release(layout: RegistryLayout) -> Changes:
    release = last_release(layout)
    if release is None:
        return Changes(since=None, needed=Bump.NONE)
    breaking = breaking_violations(layout, release.image)
    if breaking:
        return Changes(since=release, needed=Bump.MAJOR, breaking=breaking)
    with tempfile.TemporaryDirectory(prefix="protos-image-") as scratch:
        image = Path(scratch) / "current.binpb"
        write_image(layout, image)
        if contracts_of_image(image) != contracts_of_image(release.image):
            return Changes(since=release, needed=Bump.MINOR)
    if sources_checksums(layout) != release.sources.read_text(encoding="utf-8"):
        return Changes(since=release, needed=Bump.PATCH)
    return Changes(since=release, needed=Bump.NONE)


def check_version(layout: RegistryLayout) -> tuple[Version, Changes]:
    """VERSION must be the last release (nothing changed) or its next version of a large-enough bump."""
    version = read_version(layout.version_file)
    changes = changes_since_last_release(layout)
    if changes.since is None:
        return version, changes
    released = changes.since.version
    if version < released:
        raise FleetError(f"VERSION {version} is older than the last release {released}")
    if version == released:
        if changes.needed is not Bump.NONE:
            raise FleetError(
                f"the contracts changed since release {released} ({changes.describe()}) but "
                f"VERSION is still {released}: run `fleet protos bump`"
            )
        return version, changes
    bump = version.bump_from(released)
    if bump < changes.needed:
        raise FleetError(
            f"VERSION {version} is a {bump.name.lower()} bump over {released}, but the "
            f"{changes.describe()} needs a {changes.needed.name.lower()} bump "
            f"({released.bumped(changes.needed)})"
        )
    if version != released.bumped(bump):
        raise FleetError(
            f"VERSION {version} skips a version: the next {bump.name.lower()} version after "
            f"{released} is {released.bumped(bump)}"
        )
    return version, changes


def bump_version(layout: RegistryLayout, requested: Bump | None) -> tuple[Version, Changes]:
    """Set VERSION to the next version after the last release, by `requested` or by what is needed."""
    changes = changes_since_last_release(layout)
    if changes.since is None:
        current = read_version(layout.version_file)
        raise FleetError(f"nothing is released yet: VERSION {current} is published as the first")
    level = requested or changes.needed
    if level is Bump.NONE:
        raise FleetError(
            f"the contracts equal release {changes.since.version}; nothing to bump "
            "(name a level, e.g. `fleet protos bump patch`, to bump anyway)"
        )
    if level < changes.needed:
        raise FleetError(
            f"a {level.name.lower()} bump is not enough: the {changes.describe()} needs "
            f"`fleet protos bump {changes.needed.name.lower()}`"
        )
    version = changes.since.version.bumped(level)
    write_version(layout.version_file, version)
    return version, changes
