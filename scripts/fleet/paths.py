"""Finding the platform repository's root from anywhere inside it."""

from __future__ import annotations

import os
from pathlib import Path

from fleet.errors import FleetError

MANIFEST_NAME = "repos.yaml"
ROOT_ENV = "FLEET_ROOT"


def is_repo_root(candidate: Path) -> bool:
    """A platform root holds the fleet manifest and the proto registry side by side."""
    return (candidate / MANIFEST_NAME).is_file() and (candidate / "proto-registry").is_dir()


def find_repo_root(start: Path | None = None) -> Path:
    """Walk up from `start` (default: the working directory) to the platform root.

    `FLEET_ROOT` overrides the search, so scripts can point the CLI at another checkout.
    """
    override = os.environ.get(ROOT_ENV)
    if override:
        root = Path(override).resolve()
        if not is_repo_root(root):
            raise FleetError(
                f"{ROOT_ENV}={override} is not a platform repository (no {MANIFEST_NAME})"
            )
        return root
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if is_repo_root(candidate):
            return candidate
    raise FleetError(
        f"not inside the platform repository: no {MANIFEST_NAME} in {here} or any parent "
        f"(run fleet from the repository, or set {ROOT_ENV})"
    )


def state_dir(root: Path) -> Path:
    """Where the fleet keeps local, uncommitted state (local package index, logs, data)."""
    path = root / ".fleet"
    path.mkdir(exist_ok=True)
    return path


def cache_dir() -> Path:
    """A per-user cache that survives fresh clones (downloaded broker jars and such)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    path = Path(base) / "knowledge-fleet"
    path.mkdir(parents=True, exist_ok=True)
    return path
