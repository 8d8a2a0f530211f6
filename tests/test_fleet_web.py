"""`fleet web stubs` gives someone working on the web app the registry's TypeScript stubs where
the app's tsconfig looks for @knowledge/protos, resolving their imports from the app's packages."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .edge_harness import REPO_ROOT


def test_fleet_web_stubs_writes_the_contracts_the_app_imports(tmp_path: Path) -> None:
    into = tmp_path / "protos"
    finished = subprocess.run(
        [str(REPO_ROOT / ".venv" / "bin" / "fleet"), "web", "stubs", "--into", str(into)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    assert "@knowledge/protos in" in finished.stdout
    service = into / "dist" / "knowledge" / "knowledge" / "v1" / "document_service_pb.d.ts"
    assert "WatchDocument" in service.read_text()
    assert not (into / "node_modules").exists()
