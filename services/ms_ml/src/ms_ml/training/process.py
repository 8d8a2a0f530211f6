"""A job's process: started in a session of its own with its limits set before it runs
anything (address space, CPU seconds, and death with the service that started it), stopped with
SIGTERM then SIGKILL, and found again by pid after a restart."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import resource
import signal
import sys
from collections.abc import Callable
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def _limits(memory_bytes: int, cpu_seconds: int) -> Callable[[], None]:
    def apply() -> None:  # runs in the child, between fork and exec
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)

    return apply


async def start_worker(
    spec: Path, *, memory_bytes: int, cpu_seconds: int, log: Path
) -> asyncio.subprocess.Process:
    """`python -m ms_ml.training.worker spec` with its limits, stdout piped, stderr to `log`."""
    environment = dict(os.environ)
    # One thread per numerical library: a job gets its CPU through its own process.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        environment[name] = "1"
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
            preexec_fn=_limits(memory_bytes, cpu_seconds),
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
    """SIGKILL to a worker's group found after a restart (nothing waits on it here)."""
    _signal_group(pid, signal.SIGKILL)
