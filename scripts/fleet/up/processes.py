"""The processes of a local platform run: started in their own session, logged to one file each."""

from __future__ import annotations

import datetime
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from fleet.infra.processes import stop_process


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
                start_new_session=True,
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
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return None
