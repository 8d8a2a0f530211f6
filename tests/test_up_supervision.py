"""`fleet up`'s restart policy: a crashed process comes back after a growing pause, and one that
keeps crashing ends the run with its name and log instead of being restarted forever."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from fleet.errors import FleetError
from fleet.up.processes import ManagedProcess
from fleet.up.supervision import RestartPolicy, Supervisor

QUICK = RestartPolicy(first_pause=0.01, longest_pause=0.04, crashes_tolerated=4, window=300)
BOUND_SECONDS = 60.0


def crashing(tmp_path: Path) -> ManagedProcess:
    process = ManagedProcess(
        name="ms_flaky",
        command=[sys.executable, "-c", "raise SystemExit(3)"],
        log_path=tmp_path / "ms_flaky.log",
    )
    process.start()
    return process


def test_a_process_that_keeps_crashing_is_restarted_with_growing_pauses_then_given_up(
    tmp_path: Path,
) -> None:
    reports: list[str] = []
    supervisor = Supervisor(reports.append, QUICK)
    process = crashing(tmp_path)
    supervisor.supervise(process, lambda: True, "SERVING")
    ends = time.monotonic() + BOUND_SECONDS
    with pytest.raises(FleetError) as gave_up:
        while time.monotonic() < ends:
            supervisor.check()
            time.sleep(0.005)
    assert [line for line in reports if " exited " in line] == [
        "ms_flaky exited (code 3); restarting in 0.01s (restart 1)",
        "ms_flaky exited (code 3); restarting in 0.02s (restart 2)",
        "ms_flaky exited (code 3); restarting in 0.04s (restart 3)",
        "ms_flaky exited (code 3); restarting in 0.04s (restart 4)",
    ]
    assert str(gave_up.value) == (
        "ms_flaky crashed 5 times within 300s (last: code 3); stopped the platform instead of "
        f"restarting it again; see {tmp_path / 'ms_flaky.log'}"
    )
    assert process.exit_code() == 3


def test_a_restarted_process_is_reported_ready_again_once_it_is(tmp_path: Path) -> None:
    reports: list[str] = []
    supervisor = Supervisor(reports.append, QUICK)
    process = ManagedProcess(
        name="ms_sleepy",
        command=[sys.executable, "-c", "import time; time.sleep(60)"],
        log_path=tmp_path / "ms_sleepy.log",
    )
    process.start()
    supervisor.supervise(process, lambda: process.exit_code() is None, "SERVING")
    first = process.pid
    assert process.process is not None
    process.process.kill()
    process.process.wait()
    ends = time.monotonic() + BOUND_SECONDS
    try:
        while "ms_sleepy SERVING again" not in reports and time.monotonic() < ends:
            supervisor.check()
            time.sleep(0.005)
    finally:
        process.stop(grace=1.0)
    assert reports == [
        "ms_sleepy exited (signal 9); restarting in 0.01s (restart 1)",
        f"ms_sleepy restarted (pid {process.pid})",
        "ms_sleepy SERVING again",
    ]
    assert process.pid != first
