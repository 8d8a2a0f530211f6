"""Installing each service into the platform's environment, only when its declaration changed."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tomllib
from pathlib import Path

from fleet.errors import FleetError
from fleet.manifest import Service
from fleet.up.progress import Progress

STAMPS = Path(sys.prefix) / ".fleet-up-installed"
"""Kept inside the environment: a recreated .venv reinstalls everything."""


def install_services(
    root: Path, services: list[Service], progress: Progress, *, with_tests: bool = False
) -> None:
    """`pip install -e` the services whose pyproject.toml changed since their last install, in
    one pip run (a service's test extra may name another service: pip finds it among the
    editable projects given, never in a package index); with `with_tests`, each with what its
    tests need (its `test` extra, where it declares one)."""
    STAMPS.mkdir(exist_ok=True)
    changed: list[tuple[Service, str, str]] = []
    for service in services:
        project = root / service.path
        declaration = (project / "pyproject.toml").read_bytes()
        tests = with_tests and _declares_test_extra(declaration)
        digest = hashlib.sha256(declaration + (b"\n[test]" if tests else b"")).hexdigest()
        stamp = STAMPS / f"{service.name}.sha256"
        if not (stamp.exists() and stamp.read_text() == digest):
            changed.append((service, f"{project}[test]" if tests else str(project), digest))
    if not changed:
        return
    names = ", ".join(service.name for service, _, _ in changed)
    editable = [argument for _, target, _ in changed for argument in ("-e", target)]
    with progress.step(f"installing {names}"):
        result = subprocess.run(
            [sys.executable, "-m", "pip", "install", "-q", *editable],
            capture_output=True,
            text=True,
            check=False,
        )
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines()
        raise FleetError(f"installing {names} failed: {lines[-1] if lines else '?'}")
    for service, _, digest in changed:
        (STAMPS / f"{service.name}.sha256").write_text(digest)


def _declares_test_extra(declaration: bytes) -> bool:
    extras = tomllib.loads(declaration.decode()).get("project", {}).get("optional-dependencies", {})
    return "test" in extras
