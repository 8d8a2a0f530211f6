"""`fleet lint` fails on code ruff would lay out differently, naming the part, not only on lint
findings and type errors."""

from __future__ import annotations

import shutil
from pathlib import Path

from .conftest import REPO_ROOT, run_fleet

TYPED = "[tool.mypy]\nstrict = true\nfiles = ['ok.py']\n"


def test_unformatted_code_fails_lint_until_it_is_formatted(tmp_path: Path) -> None:
    root = tmp_path / "platform"
    (root / "proto-registry").mkdir(parents=True)
    shutil.copy2(REPO_ROOT / "repos.yaml", root / "repos.yaml")
    (root / "pyproject.toml").write_text(TYPED)
    (root / "ok.py").write_text('"""A module."""\n\nANSWER: int = 42\n')
    (root / "README.md").write_text("```python\nx=1\n```\n")  # documentation is not checked
    assert run_fleet("lint", cwd=root).returncode == 0

    (root / "ok.py").write_text('"""A module."""\n\nANSWER: int=42\n')
    failed = run_fleet("lint", cwd=root)
    assert failed.returncode == 1
    assert "lint failed: ruff format in ." in failed.stderr
