"""What a killed run left behind (SIGKILL reaches only `fleet up` itself): the broker, which does
not die with it, found by the data directory it serves; and the services, the edge and the web app,
which are sent SIGTERM when it dies but may still be stopping, found by the state directory their
environment names. A new run on the same directory stops the one and waits for the others before
it looks for free ports."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

STOP_WAIT_SECONDS = 20.0
POLL_SECONDS = 0.2
RUN_STATE_DIR_VARIABLE = "FLEET_UP_STATE_DIR"
"""Set in the environment of every process a run starts: the run's state directory."""


@dataclass(frozen=True)
class Leftovers:
    """The process ids of a killed run that were still there, and stopped."""

    broker: list[int]
    processes: list[int]


def processes_serving(directory: Path) -> list[int]:
    """Process ids run with `directory`'s server.properties (the broker configured in it)."""
    properties = str(directory / "server.properties").encode()
    return [pid for pid, read in _processes("cmdline") if properties in read.split(b"\0")]


def processes_of_run(home: Path) -> list[int]:
    """Process ids started by a run on the state directory `home` (their environment says so)."""
    marker = f"{RUN_STATE_DIR_VARIABLE}={home}".encode()
    return [pid for pid, read in _processes("environ") if marker in read.split(b"\0")]


def stop_leftovers(home: Path, broker: Path) -> Leftovers:
    """SIGTERM what a killed run on `home` left (its broker serving `broker`, its processes),
    wait for them to exit, SIGKILL those that did not; returns the pids found."""
    found = Leftovers(processes_serving(broker), processes_of_run(home))
    leftovers = found.broker + found.processes
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while time.monotonic() < deadline and any(_alive(pid) for pid in leftovers):
        time.sleep(POLL_SECONDS)
    for pid in leftovers:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return found


def _processes(part: str) -> list[tuple[int, bytes]]:
    """(pid, /proc/<pid>/<part>) of every process this user may read, but this one."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            found.append((int(entry.name), (entry / part).read_bytes()))
        except OSError:
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
