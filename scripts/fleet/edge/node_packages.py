"""npm packages of the edge's Node parts (the page's build tools, the probes), installed with
`npm ci` once per lockfile into the user cache, so fresh clones and test workers share them."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

from fleet.paths import cache_dir
from fleet.protos.tools import run_tool, system_tool

PINS = ("package.json", "package-lock.json")
INSTALLED_MARKER = ".installed"


def installed_node_modules(package: Path) -> Path:
    """node_modules for the package at `package`, exactly as its package-lock.json pins them."""
    digest = hashlib.sha256()
    for name in PINS:
        digest.update((package / name).read_bytes())
    home = cache_dir() / "edge-npm" / f"{package.name}-{digest.hexdigest()[:16]}"
    home.mkdir(parents=True, exist_ok=True)
    with exclusively(home / ".install.lock"):
        if not (home / INSTALLED_MARKER).exists():
            for name in PINS:
                shutil.copyfile(package / name, home / name)
            run_tool(
                [
                    system_tool("npm", f"to install the npm packages of {package.name}"),
                    "ci",
                    "--ignore-scripts",
                    "--no-audit",
                    "--no-fund",
                    "--loglevel=error",
                ],
                what=f"npm ci ({package.name})",
                cwd=home,
                env={"npm_config_cache": str(cache_dir() / "npm")},
            )
            (home / INSTALLED_MARKER).touch()
    return home / "node_modules"


def link_node_modules(package: Path) -> None:
    """Point `package/node_modules` at its installed packages (swapped in atomically, so
    parallel workers never see it missing)."""
    modules = installed_node_modules(package)
    link = package / "node_modules"
    if link.is_symlink() and link.resolve() == modules.resolve():
        return
    temporary = package / f"node_modules.{os.getpid()}"
    temporary.symlink_to(modules, target_is_directory=True)
    temporary.replace(link)


@contextlib.contextmanager
def exclusively(lock_path: Path) -> Iterator[None]:
    """Parallel test workers build or install a thing once; the others wait for it."""
    with lock_path.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
