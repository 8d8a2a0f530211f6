"""The limits a job's process puts on itself as the first thing it does, before it imports a
recipe: its address space, its CPU seconds, and death with the service that started it (a
parent-death signal; a process whose parent is already gone exits at once). They travel in
MS_ML_TRAINING_LIMITS as `memory_bytes,cpu_seconds,parent_pid`. Setting them in the child
itself, not between fork and exec, keeps the service's own threads out of it.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import signal
import sys

LIMITS_VARIABLE = "MS_ML_TRAINING_LIMITS"
_PR_SET_PDEATHSIG = 1


def limits_value(memory_bytes: int, cpu_seconds: int, parent_pid: int) -> str:
    return f"{memory_bytes},{cpu_seconds},{parent_pid}"


def apply_limits_from_environment() -> None:
    """Applies MS_ML_TRAINING_LIMITS when it is set (a worker started by hand runs unlimited)."""
    value = os.environ.get(LIMITS_VARIABLE)
    if not value:
        return
    memory_bytes, cpu_seconds, parent_pid = (int(part) for part in value.split(","))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 5))
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:  # the service died before the signal was asked for
        sys.exit(1)
