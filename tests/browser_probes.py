"""Running a Node probe (scripts/fleet/edge/probes/*.mjs) that drives headless Chromium or
grpc-js against the running platform: one JSON request in, one line per thing it saw out."""

from __future__ import annotations

import json
import subprocess
from typing import Any

from fleet.edge.probes import probe_command

CHROMIUM = "/usr/bin/chromium"


def probe_lines(script: str, request: dict[str, Any], *, timeout: float) -> list[str]:
    """Runs `script` with `request` and returns the lines it printed; a probe that fails (or
    outlives `timeout` seconds) fails the test with what it wrote to stderr."""
    finished = subprocess.run(
        [*probe_command(script), json.dumps(request)],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert finished.returncode == 0, finished.stderr
    return finished.stdout.splitlines()


def started_probe(script: str, request: dict[str, Any]) -> subprocess.Popen[str]:
    """The probe running beside the test, for one whose lines the test reads as they come."""
    return subprocess.Popen(
        [*probe_command(script), json.dumps(request)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
