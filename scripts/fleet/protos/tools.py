"""Running the registry's external tools (buf, protoc, npm, go); a failure is one FleetError line."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from fleet.errors import FleetError

SHOWN_OUTPUT_LINES = 6


def venv_tool(name: str) -> str:
    """An executable installed next to the running Python (the fleet's virtual environment)."""
    beside = Path(sys.executable).parent / name
    if beside.is_file():
        return str(beside)
    found = shutil.which(name)
    if found is None:
        raise FleetError(
            f"'{name}' is not installed; run scripts/bootstrap.sh to install the fleet's dev tools"
        )
    return found


def system_tool(name: str, purpose: str) -> str:
    """A tool the machine provides (node, npm, go), named in the error when missing."""
    found = shutil.which(name)
    if found is None:
        raise FleetError(f"'{name}' is not on PATH; it is needed {purpose}")
    return found


def run_tool(
    command: Sequence[str],
    *,
    what: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> str:
    """Run `command`, return its stdout; on failure raise `what failed: <first lines of output>`."""
    environment = {**os.environ, **(env or {})}
    try:
        result = subprocess.run(
            list(command), cwd=cwd, env=environment, capture_output=True, text=True, check=False
        )
    except OSError as exc:
        raise FleetError(f"{what}: cannot run {command[0]}: {exc.strerror}") from None
    if result.returncode != 0:
        raise FleetError(f"{what}: {summarize_output(result.stdout + result.stderr)}")
    return result.stdout


def summarize_output(output: str) -> str:
    """The first meaningful lines of a tool's output, joined into one line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    if not lines:
        return "failed without output"
    shown = " | ".join(lines[:SHOWN_OUTPUT_LINES])
    hidden = len(lines) - SHOWN_OUTPUT_LINES
    return f"{shown} (and {hidden} more lines)" if hidden > 0 else shown
