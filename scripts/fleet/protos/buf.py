"""buf, run against the registry: lint, images and breaking-change detection."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from fleet.errors import FleetError
from fleet.protos.layout import RegistryLayout
from fleet.protos.tools import run_tool, summarize_output, venv_tool

_VIOLATIONS_FOUND = 100
"""buf's exit status when it found lint or breaking violations (anything else is an error)."""


def lint_violations(layout: RegistryLayout) -> list[str]:
    """buf lint (STANDARD, see buf.yaml) as `path:line: message` lines; empty when clean."""
    return _violations([venv_tool("buf"), "lint", "--error-format=json"], layout, "buf lint")


def breaking_violations(layout: RegistryLayout, against: Path) -> list[str]:
    """Changes since the image `against` that break wire or generated-code compatibility."""
    return _violations(
        [venv_tool("buf"), "breaking", f"--against={against}", "--error-format=json"],
        layout,
        "buf breaking",
    )


def write_image(layout: RegistryLayout, target: Path) -> None:
    """The compiled contracts as a buf image (a FileDescriptorSet), without comments."""
    target.parent.mkdir(parents=True, exist_ok=True)
    run_tool(
        [venv_tool("buf"), "build", "--exclude-source-info", "-o", str(target)],
        what="buf build",
        cwd=layout.registry,
    )


def _violations(command: list[str], layout: RegistryLayout, what: str) -> list[str]:
    result = subprocess.run(
        command, cwd=layout.registry, capture_output=True, text=True, check=False
    )
    if result.returncode == 0:
        return []
    if result.returncode != _VIOLATIONS_FOUND:
        raise FleetError(f"{what}: {summarize_output(result.stderr + result.stdout)}")
    return [_describe(line) for line in result.stdout.splitlines() if line.strip()]


def _describe(line: str) -> str:
    finding = json.loads(line)
    return f"{finding['path']}:{finding.get('start_line', 0)}: {finding['message']}"
