"""A job's process: started in a session of its own, told its limits (which it sets on itself
before anything else, see limits.py), stopped with SIGTERM then SIGKILL, and found again by pid
after a restart."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from pathlib import Path

from .limits import LIMITS_VARIABLE, limits_value


async def start_worker(
    spec: Path, *, memory_bytes: int, cpu_seconds: int, log: Path
) -> asyncio.subprocess.Process:
    """`python -m ms_ml.training.worker spec` with its limits, stdout piped, stderr to `log`."""
    environment = dict(os.environ)
    # One thread per numerical library: a job gets its CPU through its own process.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        environment[name] = "1"
    environment[LIMITS_VARIABLE] = limits_value(memory_bytes, cpu_seconds, os.getpid())
    with log.open("ab") as errors:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "ms_ml.training.worker",
            str(spec),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=errors,
            env=environment,
            start_new_session=True,
            limit=1024 * 1024,
        )


async def stop(process: asyncio.subprocess.Process, grace_seconds: float) -> None:
    """SIGTERM to the process's group, then SIGKILL if it is still there after the grace."""
    if process.returncode is not None:
        return
    _signal_group(process.pid, signal.SIGTERM)
    try:
        await asyncio.wait_for(process.wait(), grace_seconds)
    except TimeoutError:
        _signal_group(process.pid, signal.SIGKILL)
        await process.wait()


def _signal_group(pid: int, sent: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sent)


def worker_alive(pid: int, spec: Path) -> bool:
    """Whether `pid` is still the worker process of that spec (not a pid used again)."""
    if pid <= 0:
        return False
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    return str(spec).encode() in command and b"ms_ml.training.worker" in command


def parent_of(pid: int) -> int:
    """The parent pid of a process (0 when it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0
    return int(stat.rsplit(")", 1)[1].split()[1])


def orphaned(pid: int) -> bool:
    """Whether a worker outlived the service that started it (its parent is no ms_ml)."""
    parent = parent_of(pid)
    if parent in (0, 1):
        return True
    try:
        command = Path(f"/proc/{parent}/cmdline").read_bytes()
    except OSError:
        return True
    return b"ms_ml" not in command


def kill_worker(pid: int) -> None:
    """SIGKILL to a worker found after a restart, and to its group when it leads one (as the
    workers this service starts do); nothing waits on it here."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if os.getpgid(pid) == pid:
            os.killpg(pid, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
