"""The committed record of template releases, so a clone without tags still has every release.

copier finds template versions through git tags, but tags do not always travel with a branch (a
plain fetch of `main`, a mirror of commits only). `template/releases.yaml` lists each release and
the commit it was cut from; `ensure_release_tags` recreates any tag this clone lacks from it.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from fleet.errors import FleetError
from fleet.template_ops.git import git

RECORD = Path("template") / "releases.yaml"
FULL_SHA = re.compile(r"^[0-9a-f]{40}$")
HEADER = """\
# Template releases: each version and the platform commit it was cut from. copier reads releases
# from git tags; fleet recreates any tag a clone lacks from this list (`fleet template release`
# writes it). Never edit a released line: services record these versions.
"""


def recorded_releases(root: Path) -> dict[str, str]:
    """version → commit, as committed; empty when nothing was recorded."""
    path = root / RECORD
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise FleetError(f"{RECORD}: not valid YAML: {exc}") from None
    releases = data.get("releases") if isinstance(data, dict) else None
    if not isinstance(releases, dict):
        raise FleetError(f"{RECORD}: expected a 'releases' mapping of version: commit")
    for version, commit in releases.items():
        if not isinstance(commit, str) or not FULL_SHA.match(commit):
            raise FleetError(f"{RECORD}: release {version} must name a full 40-hex commit")
    return {str(version): commit for version, commit in releases.items()}


def write_record(root: Path, releases: dict[str, str]) -> None:
    lines = [HEADER, "releases:\n"]
    lines += [f'  "{version}": {commit}\n' for version, commit in releases.items()]
    (root / RECORD).write_text("".join(lines), encoding="utf-8")


def ensure_release_tags(root: Path) -> None:
    """Create each recorded release's tag where missing; refuse a tag that contradicts the record."""
    for version, commit in recorded_releases(root).items():
        tagged = _tagged_commit(root, version)
        if tagged == commit:
            continue
        if tagged is not None:
            raise FleetError(
                f"tag {version} points at {tagged[:12]}, but {RECORD} records {commit[:12]}: "
                "a release never moves; delete the local tag or fix the record"
            )
        if not commit_exists(root, commit):
            raise FleetError(
                f"template release {version} was cut from {commit[:12]}, which this clone does not "
                "have (a shallow clone?): fetch the full history"
            )
        git("tag", version, commit, cwd=root)


def _tagged_commit(root: Path, version: str) -> str | None:
    probe = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", f"refs/tags/{version}^{{commit}}"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return probe.stdout.strip() if probe.returncode == 0 else None


def commit_exists(root: Path, commit: str) -> bool:
    """Whether `commit` (a hash, tag or other revision) names a commit in this repository."""
    probe = subprocess.run(
        ["git", "cat-file", "-e", f"{commit}^{{commit}}"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0
