"""Fixtures for the platform repository's own tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# postgres_url and kafka_bootstrap come from the knowledge-kit pytest plugin.


@pytest.fixture
def platform_copy(tmp_path: Path) -> Path:
    """A git clone of the repository's committed files plus the working tree's changes."""
    target = tmp_path / "platform"
    shutil.copytree(
        REPO_ROOT,
        target,
        ignore=shutil.ignore_patterns(
            ".venv",
            ".fleet",
            "node_modules",
            "__pycache__",
            ".git",
            ".mypy_cache",
            ".ruff_cache",
            ".pytest_cache",
        ),
    )
    return target


def run_fleet(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the installed `fleet` CLI as a user would, capturing its output."""
    fleet = shutil.which("fleet") or str(REPO_ROOT / ".venv" / "bin" / "fleet")
    env = {key: value for key, value in os.environ.items() if key != "FLEET_ROOT"}
    return subprocess.run(
        [fleet, *args], cwd=cwd, capture_output=True, text=True, env=env, check=False
    )
