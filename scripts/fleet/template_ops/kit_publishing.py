"""Publishing knowledge-kit into the local package index, next to knowledge-protos.

Stamped service repositories pin `knowledge-kit==1.*` and install it from that index; the wheel is
built reproducibly (fixed timestamps), so publishing an unchanged kit again changes nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from fleet.errors import FleetError
from fleet.protos.layout import RegistryLayout
from fleet.protos.package_index import AlreadyPublished, publish_file
from fleet.template_ops.package_index import KIT_DISTRIBUTION

KIT_DIR = "kit"
REPRODUCIBLE_EPOCH = "315532800"
"""1980-01-01, the earliest time a zip entry can carry."""
NOT_PACKAGED = ("__pycache__", "*.egg-info", "build", "dist", "tests", ".*_cache")


@dataclass(frozen=True)
class KitRelease:
    version: str
    wheel: Path
    already_there: bool


def publish_kit(root: Path) -> KitRelease:
    """Build the kit's wheel and add it to the local index (refusing to change a published one)."""
    project = _project(root)
    index = RegistryLayout(root).index
    with tempfile.TemporaryDirectory(prefix="fleet-kit-") as scratch:
        wheel = _build_wheel(root / KIT_DIR, Path(scratch))
        try:
            result = publish_file(
                index,
                KIT_DISTRIBUTION,
                wheel,
                requires_python=str(project.get("requires-python", "")),
            )
        except AlreadyPublished:
            raise FleetError(
                f"knowledge-kit {project['version']} is already published with other contents: "
                f"raise the version in {KIT_DIR}/pyproject.toml to publish the kit's changes"
            ) from None
    return KitRelease(str(project["version"]), result.path, result.already_there)


def _project(root: Path) -> dict[str, object]:
    path = root / KIT_DIR / "pyproject.toml"
    try:
        project = tomllib.loads(path.read_text(encoding="utf-8"))["project"]
    except (OSError, KeyError, tomllib.TOMLDecodeError) as exc:
        raise FleetError(
            f"{KIT_DIR}/pyproject.toml has no readable [project] table: {exc}"
        ) from None
    if not isinstance(project, dict) or "version" not in project:
        raise FleetError(f"{KIT_DIR}/pyproject.toml: [project] needs a version")
    return project


def _build_wheel(kit: Path, scratch: Path) -> Path:
    """Build from a clean copy, so no build output lands in the kit's own directory."""
    source = scratch / "source"
    shutil.copytree(kit, source, ignore=shutil.ignore_patterns(*NOT_PACKAGED))
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
