"""Fixtures for the platform repository's own tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fleet.manifest import load_manifest

from .edge_harness import PLATFORM_ADMIN, PlatformUp, platform_up

REPO_ROOT = Path(__file__).resolve().parent.parent
# postgres_url and kafka_bootstrap come from the knowledge-kit pytest plugin.
EMBEDDER_ADMIN = "embedder-admin@example.org"
"""An administrator of the shared platform of its own, who registers embedder versions."""


@pytest.fixture(scope="session")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PlatformUp]:
    """Every service, the edge and the web app through `fleet up`, started once per test process
    and shared by the tests that use the platform as people do (each with its own accounts and
    spaces); an account registered as PLATFORM_ADMIN or EMBEDDER_ADMIN starts as an
    administrator."""
    services = [service.name for service in load_manifest(REPO_ROOT).services]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MS_AUTH_ADMIN_EMAILS", json.dumps([PLATFORM_ADMIN, EMBEDDER_ADMIN]))
        with platform_up(tmp_path_factory.mktemp("up"), services) as running:
            yield running


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
