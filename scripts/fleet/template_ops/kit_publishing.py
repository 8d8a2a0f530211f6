"""Publishing knowledge-kit into the local package index, next to knowledge-protos.

Stamped service repositories pin `knowledge-kit==1.*` and install it from that index. A published
version is exactly what one commit's kit/ holds: the wheel is built from `git archive` of that
commit (HEAD by default), never from the working tree, so work in progress in kit/ (one's own or
a colleague's) cannot slip into a release. It is built reproducibly (fixed timestamps, modes as
git records them), so publishing an unchanged kit again changes nothing, and a version already
published with other bytes is refused.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from fleet.errors import FleetError
from fleet.protos.layout import RegistryLayout
from fleet.protos.package_index import AlreadyPublished, publish_file
from fleet.template_ops.git import git, uncommitted_paths
from fleet.template_ops.package_index import KIT_DISTRIBUTION

KIT_DIR = "kit"
DEFAULT_COMMIT = "HEAD"
REPRODUCIBLE_EPOCH = "315532800"
"""1980-01-01, the earliest time a zip entry can carry."""
NOT_PACKAGED = ("__pycache__", "*.egg-info", "build", "dist", "tests", ".*_cache")


@dataclass(frozen=True)
class KitRelease:
    version: str
    wheel: Path
    already_there: bool
    commit: str
    """The commit whose kit/ the wheel holds (abbreviated)."""
    left_out: tuple[str, ...] = ()
    """Uncommitted paths under kit/ (working tree or index) that the wheel does not hold."""


def publish_kit(root: Path, commit: str = DEFAULT_COMMIT) -> KitRelease:
    """Build the kit's wheel from `commit`'s kit/ and add it to the local index.

    Publishing HEAD is refused when the working tree's kit/pyproject.toml names another version
    than HEAD's (the release is not committed yet); any commit is refused when the index already
    holds its version with other contents. Other uncommitted changes in kit/ are left out of the
    wheel and returned in `left_out`.
    """
    sha = _resolve(root, commit)
    left_out: tuple[str, ...] = ()
    with tempfile.TemporaryDirectory(prefix="fleet-kit-") as scratch:
        source = _export_kit(root, sha, Path(scratch) / "source")
        project = _project(source / "pyproject.toml", f"{KIT_DIR}/pyproject.toml at {sha[:12]}")
        version = str(project["version"])
        if sha == _resolve(root, DEFAULT_COMMIT):
            left_out = _left_out_of_head(root, sha, version)
        wheel = _build_wheel(source, Path(scratch))
        try:
            result = publish_file(
                RegistryLayout(root).index,
                KIT_DISTRIBUTION,
                wheel,
                requires_python=str(project.get("requires-python", "")),
            )
        except AlreadyPublished:
            raise FleetError(
                f"knowledge-kit {version} is already published with other contents: "
                f"raise the version in {KIT_DIR}/pyproject.toml to publish the kit's changes "
                f"(a published version never changes; commit {sha[:12]}'s kit/ differs from it)"
            ) from None
    return KitRelease(version, result.path, result.already_there, sha[:12], left_out)


def _resolve(root: Path, commit: str) -> str:
    """The full hash of `commit` in the repository holding `root`."""
    if not _in_work_tree(root):
        raise FleetError(
            f"{root} is not a git checkout: the kit is published from a commit's {KIT_DIR}/, "
            "so commit it in a git repository first"
        )
    result = subprocess.run(
        ["git", "rev-parse", "--verify", "--quiet", "--end-of-options", f"{commit}^{{commit}}"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0 or not result.stdout.strip():
        raise FleetError(f"no commit {commit!r} to publish the kit from")
    return result.stdout.strip()


def _in_work_tree(root: Path) -> bool:
    result = subprocess.run(
        ["git", "rev-parse", "--is-inside-work-tree"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.returncode == 0 and result.stdout.strip() == "true"


def _export_kit(root: Path, sha: str, target: Path) -> Path:
    """Write `sha`'s kit/ (its committed files only) into `target`, less what is not packaged."""
    prefix = git("rev-parse", "--show-prefix", cwd=root).strip()
    # Files get the modes git records (644, or 755 for executables) whatever the umask: the modes
    # end up in the wheel's entries, so another umask would make another wheel.
    archive = subprocess.run(
        ["git", "-c", "tar.umask=0022", "archive", "--format=tar", f"{sha}:{prefix}{KIT_DIR}"],
        cwd=root,
        capture_output=True,
        check=False,
    )
    if archive.returncode != 0:
        problem = archive.stderr.decode(errors="replace").strip().splitlines()
        raise FleetError(
            f"commit {sha[:12]} has no {KIT_DIR}/ to publish: "
            f"{problem[-1] if problem else 'git archive failed'}"
        )
    target.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(target, filter="data")
    ignored = shutil.ignore_patterns(*NOT_PACKAGED)
    for directory, names, files in os.walk(target, topdown=True):
        for name in ignored(directory, [*names, *files]):
            path = Path(directory, name)
            if path.is_dir():
                shutil.rmtree(path)
                names.remove(name)
            else:
                path.unlink()
    return target


def _left_out_of_head(root: Path, head: str, version: str) -> tuple[str, ...]:
    """What in kit/ differs from HEAD; refused when it changes the version being released."""
    dirty = tuple(uncommitted_paths(root, KIT_DIR))
    if not dirty:
        return ()
    working = root / KIT_DIR / "pyproject.toml"
    try:
        working_version = str(_project(working, f"{KIT_DIR}/pyproject.toml")["version"])
    except FleetError:
        working_version = "no readable version"
    if working_version != version:
        raise FleetError(
            f"{KIT_DIR}/pyproject.toml says {working_version} but HEAD ({head[:12]}) holds "
            f"knowledge-kit {version}, and the kit is published from the commit: commit the "
            f"release first, then publish (uncommitted in {KIT_DIR}/: {', '.join(dirty)})"
        )
    return dirty


def _project(path: Path, name: str) -> dict[str, object]:
    try:
        project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise FleetError(f"{name} has no readable [project] table: {exc}") from None
    if not isinstance(project, dict) or "version" not in project:
        raise FleetError(f"{name}: [project] needs a version")
    return project


def _build_wheel(source: Path, scratch: Path) -> Path:
    """Build in the scratch directory, so no build output lands in the kit's own directory."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(scratch / "wheel"),
            str(source),
        ],
        env={**os.environ, "SOURCE_DATE_EPOCH": REPRODUCIBLE_EPOCH},
        capture_output=True,
        text=True,
        check=False,
    )
    wheels = sorted((scratch / "wheel").glob("*.whl"))
    if result.returncode != 0 or len(wheels) != 1:
        problem = (result.stderr.strip() or result.stdout.strip()).splitlines()
        raise FleetError(
            f"building the kit's wheel failed: {problem[-1] if problem else 'no wheel'}"
        )
    return wheels[0]
