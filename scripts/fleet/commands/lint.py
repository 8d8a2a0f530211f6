"""`fleet lint`: ruff and mypy --strict over every Python part of the repository."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from fleet.console import out
from fleet.errors import FleetError
from fleet.paths import find_repo_root

LINTED_PARTS = (".",)
"""Directories with their own pyproject.toml whose [tool.mypy] and [tool.ruff] apply to them."""


@click.command("lint")
def lint() -> None:
    """Run ruff and mypy --strict in each part; fail naming the parts that are not clean."""
    root = find_repo_root()
    failed: list[str] = []
    for part in LINTED_PARTS:
        directory = root / part
        for tool in (["ruff", "check", "--quiet", "."], ["mypy"]):
            if not _passes(tool, directory):
                failed.append(f"{tool[0]} in {part}")
    if failed:
        raise FleetError(f"lint failed: {', '.join(failed)}")
    out.print(f"lint: ruff and mypy --strict clean in {len(LINTED_PARTS)} part(s)")


def _passes(tool: list[str], directory: Path) -> bool:
    result = subprocess.run([sys.executable, "-m", *tool], cwd=directory, check=False)
    return result.returncode == 0
