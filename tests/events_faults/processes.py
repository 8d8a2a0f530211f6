"""The test's relay and consumers as OS processes it can SIGKILL, restarted as an orchestrator
would restart a service that exits on its own."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from fleet.infra.kafka import KafkaBroker
from fleet.infra.processes import stop_process, tail

REPO_ROOT = Path(__file__).resolve().parents[2]


class DriverProcess:
    """`python -m tests.events_faults.<module> ARGS...`, its output in `log`."""

    def __init__(self, name: str, module: str, args: list[str], log: Path) -> None:
        self.name = name
        self.command = [sys.executable, "-m", f"tests.events_faults.{module}", *args]
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.exits = 0  # exits the test did not cause, each followed by a restart

    def start(self) -> None:
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(
                self.command,
                cwd=REPO_ROOT,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """The fault: SIGKILL, no chance to finish a batch or commit an offset."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def keep_running(self) -> None:
        """Restart the process if it exited on its own (a killed one stays down)."""
        if self.process is not None and self.process.poll() is not None:
            self.exits += 1
            self.start()

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process, grace=10)

    def last_lines(self) -> str:
        return f"{self.name}: {tail(self.log, 8)}"


def kill_broker(broker: KafkaBroker) -> None:
    """SIGKILL the broker's process group: no controlled shutdown, no final flush."""
    if broker.process is not None and broker.process.poll() is None:
        os.killpg(broker.process.pid, signal.SIGKILL)
        broker.process.wait()
