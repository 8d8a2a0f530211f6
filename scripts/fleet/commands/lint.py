"""`fleet lint`: ruff (lint and format) and mypy --strict over every Python part of the
repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from fleet.console import out
from fleet.errors import FleetError
from fleet.paths import find_repo_root


def linted_parts(root: Path) -> list[Path]:
    """The root, each top-level part and each stamped service that configures mypy itself."""
    parts = [root]
    for directory in sorted([*root.glob("*/"), *root.glob("services/*/")]):
        pyproject = directory / "pyproject.toml"
        if (directory / "mypy.ini").is_file() or (
            pyproject.is_file() and "[tool.mypy]" in pyproject.read_text(encoding="utf-8")
        ):
            parts.append(directory)
    return parts


# Markdown is left out of the format check: code in documentation is laid out for reading.
# Without ruff's cache: a cached verdict can outlive what decides it (which imports are
# first-party), and a clean clone has no cache.
CHECKS = (
    ("ruff", ["ruff", "check", "--no-cache", "--quiet", "."]),
    (
        "ruff format",
        ["ruff", "format", "--no-cache", "--check", "--quiet", "--exclude", "*.md", "."],
    ),
    ("mypy", ["mypy"]),
)


@click.command("lint")
def lint() -> None:
    """Run ruff check, ruff format --check and mypy --strict in each part; fail naming the parts
    that are not clean."""
    root = find_repo_root()
    failed: list[str] = []
    parts = linted_parts(root)
    for directory in parts:
        part = directory.relative_to(root).as_posix()
        for name, tool in CHECKS:
            if not _passes(tool, directory):
                failed.append(f"{name} in {part}")
    if failed:
        raise FleetError(f"lint failed: {', '.join(failed)}")
    out.print(f"lint: ruff, ruff format and mypy --strict clean in {len(parts)} part(s)")


def _passes(tool: list[str], directory: Path) -> bool:
    result = subprocess.run([sys.executable, "-m", *tool], cwd=directory, check=False)
    return result.returncode == 0


command = lint
