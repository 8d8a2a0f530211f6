"""Fixtures for the chart tests: throwaway copies of the parts of the repository charts read."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .chart_edits import REPO_ROOT

CHART_INPUTS = ("repos.yaml", "proto-registry", "platform-charts")


@pytest.fixture
def charts_copy(tmp_path: Path) -> Path:
    """A minimal platform root (manifest, proto registry, charts) that tests may break."""
    root = tmp_path / "platform"
    root.mkdir()
    for name in CHART_INPUTS:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(
                source,
                root / name,
                ignore=shutil.ignore_patterns("__pycache__", "tests", "charts", "Chart.lock"),
            )
        else:
            shutil.copy2(source, root / name)
    return root
