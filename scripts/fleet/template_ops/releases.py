"""Template releases: the platform repository's plain `X.Y.Z` git tags."""

from __future__ import annotations

import re
from pathlib import Path

from fleet.errors import FleetError
from fleet.template_ops.git import git
from fleet.template_ops.release_record import commit_exists, ensure_release_tags

RELEASE_TAG = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def release_key(version: str) -> tuple[int, int, int]:
    """Sort key of a release; a FleetError for anything that is not `X.Y.Z`."""
    match = RELEASE_TAG.match(version)
    if match is None:
        raise FleetError(f"'{version}' is not a template release (releases look like 1.2.0)")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def template_releases(root: Path) -> list[str]:
    """Every released template version, oldest first (recorded releases get their tags back)."""
    ensure_release_tags(root)
    tags = git("tag", "--list", cwd=root).split()
    return sorted((tag for tag in tags if RELEASE_TAG.match(tag)), key=release_key)


def latest_template_release(root: Path) -> str:
    """The newest released template version; a FleetError when nothing was released yet."""
    releases = template_releases(root)
    if not releases:
        raise FleetError(
            "the template has no release yet: cut one with `fleet template release 1.0.0`"
        )
    return releases[-1]


def checked_release(root: Path, version: str) -> str:
    """`version` if it is a released template version, else a FleetError listing the releases."""
    releases = template_releases(root)
    if version not in releases:
        known = ", ".join(releases) or "none"
        raise FleetError(f"template release '{version}' does not exist (released: {known})")
    return version


def check_stamped_version(root: Path, service: str, version: str) -> None:
    """A FleetError unless this repository has the template version a service records."""
    ensure_release_tags(root)
    if not commit_exists(root, version):
        raise FleetError(
            f"{service} records template version '{version}', which this repository does not have "
            "(stamped from a template with uncommitted changes?): set _commit in its "
            ".copier-answers.yml to the release it was stamped from"
        )
