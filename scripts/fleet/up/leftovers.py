"""A broker that a killed run left behind (SIGKILL reaches only `fleet up` itself; the services and
the edge die with it, the JVM does not): found by the data directory it serves, and stopped."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

STOP_WAIT_SECONDS = 20.0
POLL_SECONDS = 0.2


def processes_serving(directory: Path) -> list[int]:
    """Process ids run with `directory`'s server.properties (the broker configured in it)."""
    properties = str(directory / "server.properties").encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            command_line = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if properties in command_line.split(b"\0"):
            found.append(int(entry.name))
    return found


def stop_leftover_broker(directory: Path) -> list[int]:
    """SIGTERM what still serves `directory`, wait for it to exit; returns the pids stopped."""
    leftovers = processes_serving(directory)
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while time.monotonic() < deadline and any(_alive(pid) for pid in leftovers):
        time.sleep(POLL_SECONDS)
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return leftovers


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
