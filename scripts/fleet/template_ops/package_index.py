"""The fleet's local package index (.fleet/index) and a service's pins on the shared packages."""

from __future__ import annotations

import os
import re
import sys
import tomllib
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from fleet.protos.layout import RegistryLayout
from fleet.protos.package_index import published_files, simple_url

PROTOS_DISTRIBUTION = "knowledge-protos"
KIT_DISTRIBUTION = "knowledge-kit"
PACKAGE_INDEX_ENV = "KNOWLEDGE_PACKAGE_INDEX"
"""Read by a service repository's tox.ini: the index serving knowledge-protos and knowledge-kit."""
KIT_ENV = "KNOWLEDGE_KIT"
"""Read by a service repository's tox.ini: install the kit from here instead of the index."""
_WHEEL = re.compile(r"^[A-Za-z0-9_.]+-(?P<version>[^-]+)-.+\.whl$")


def published_versions(root: Path, distribution: str) -> list[Version]:
    """Every version of `distribution` published as a wheel in the local index, oldest first."""
    versions: set[Version] = set()
    for wheel in published_files(RegistryLayout(root).index, distribution):
        match = _WHEEL.match(wheel.name)
        if match is None:
            continue
        try:
            versions.add(Version(match["version"]))
        except InvalidVersion:
            continue
    return sorted(versions)


def service_environment(root: Path) -> dict[str, str]:
    """What a command in a service repository needs: the platform's packages on this checkout,
    and the platform environment's tools (tox, ruff, ...) first on PATH, activated or not."""
    tools = str(Path(sys.executable).parent)
    return {
        PACKAGE_INDEX_ENV: simple_url(RegistryLayout(root).index),
        KIT_ENV: str((root / "kit").resolve()),
        "PATH": os.pathsep.join([tools, os.environ.get("PATH", "")]),
    }


def pinned_requirement(service_dir: Path, distribution: str) -> Requirement | None:
    """The service's requirement on `distribution` in its pyproject.toml, if it has one."""
    try:
        project = tomllib.loads((service_dir / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return None
    wanted = canonicalize_name(distribution)
    for line in project.get("project", {}).get("dependencies", []):
        try:
            requirement = Requirement(line)
        except InvalidRequirement:
            continue
        if canonicalize_name(requirement.name) == wanted:
            return requirement
    return None
