"""Installing each service into the platform's environment, only when its declaration changed."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from fleet.errors import FleetError
from fleet.manifest import Service
from fleet.up.progress import Progress

STAMPS = Path(sys.prefix) / ".fleet-up-installed"
"""Kept inside the environment: a recreated .venv reinstalls everything."""


def install_services(root: Path, services: list[Service], progress: Progress) -> None:
    """`pip install -e` each service whose pyproject.toml changed since its last install."""
    STAMPS.mkdir(exist_ok=True)
    for service in services:
        project = root / service.path
        digest = hashlib.sha256((project / "pyproject.toml").read_bytes()).hexdigest()
        stamp = STAMPS / f"{service.name}.sha256"
        if stamp.exists() and stamp.read_text() == digest:
            continue
        with progress.step(f"installing {service.name}"):
            result = subprocess.run(
                [sys.executable, "-m", "pip", "install", "-q", "-e", str(project)],
                capture_output=True,
                text=True,
                check=False,
            )
        if result.returncode != 0:
            lines = result.stderr.strip().splitlines()
            raise FleetError(f"installing {service.name} failed: {lines[-1] if lines else '?'}")
        stamp.write_text(digest)
