"""`fleet kit publish` puts knowledge-kit into the local index, and never changes a published one."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from .conftest import REPO_ROOT, run_fleet


def kit_platform(tmp_path: Path) -> Path:
    """A platform root holding a copy of the kit's package sources."""
    root = tmp_path / "platform"
    (root / "proto-registry").mkdir(parents=True)
    shutil.copy2(REPO_ROOT / "repos.yaml", root / "repos.yaml")
    (root / "kit").mkdir()
    shutil.copy2(REPO_ROOT / "kit" / "pyproject.toml", root / "kit" / "pyproject.toml")
    shutil.copytree(
        REPO_ROOT / "kit" / "src",
        root / "kit" / "src",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return root


def test_kit_publish_is_reproducible_and_refuses_to_change_a_published_version(
    tmp_path: Path,
) -> None:
    root = kit_platform(tmp_path)
    first = run_fleet("kit", "publish", cwd=root)
    assert first.returncode == 0, first.stderr
    assert ": published in file://" in first.stdout
    wheels = list((root / ".fleet" / "index" / "simple" / "knowledge-kit").glob("*.whl"))
    assert len(wheels) == 1
    with zipfile.ZipFile(wheels[0]) as wheel:
        names = wheel.namelist()
        entry_points = next(name for name in names if name.endswith("entry_points.txt"))
        assert "knowledge_kit.testing.plugin" in wheel.read(entry_points).decode()
    assert "knowledge_kit/py.typed" in names

    again = run_fleet("kit", "publish", cwd=root)
    assert again.returncode == 0 and ": already published in" in again.stdout

    settings = root / "kit" / "src" / "knowledge_kit" / "settings.py"
    settings.write_text(settings.read_text() + "\n# changed without a new version\n")
    changed = run_fleet("kit", "publish", cwd=root)
    assert changed.returncode == 1
    assert "is already published with other contents: raise the version" in changed.stderr
