"""The processes of a local platform run: started in their own session, logged to one file each,
and taken down by the kernel if `fleet up` itself dies without stopping them."""

from __future__ import annotations

import ctypes
import datetime
import os
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from fleet.infra.processes import stop_process

PR_SET_PDEATHSIG = 1


@dataclass
class ManagedProcess:
    name: str
    command: list[str]
    log_path: Path
    env: dict[str, str] = field(default_factory=dict)
    cwd: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            stamp = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
            log.write(f"\n=== {self.name} starting at {stamp}: {' '.join(self.command)}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                self.command,
                cwd=self.cwd,
                env={**os.environ, **self.env},
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # Own session: Ctrl-C reaches `fleet up` alone, which stops everyone in order.
                start_new_session=True,
                preexec_fn=_terminate_with_parent,
            )

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def exit_code(self) -> int | None:
        """None while running (or never started)."""
        return self.process.poll() if self.process else None

    def stop(self, grace: float) -> None:
        if self.process is not None:
            stop_process(self.process, grace=grace)

    def resident_megabytes(self) -> float | None:
        """Resident memory of the process (VmRSS), in MB; None once it has exited."""
        if self.process is None or self.process.poll() is not None:
            return None
        return resident_megabytes(self.process.pid)


def resident_megabytes(pid: int) -> float | None:
    """VmRSS of `pid` in MB (from /proc); None when the process is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def _terminate_with_parent() -> None:
    """In the child before exec: SIGTERM it when `fleet up` dies (even by SIGKILL)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
