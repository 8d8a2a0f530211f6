"""A service process records and reads for as long as it runs: the in-process engine keeps the
threads and descriptors it has, however many calls it answers."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SERVICE_ROOT = Path(__file__).resolve().parents[2]
CALLS = 120
# A few threads the engine starts on demand (merges, reads), each with its three /proc
# descriptors; far fewer than the 123 threads and 369 descriptors a parts removal borrowed.
SLACK_THREADS = 12
SLACK_DESCRIPTORS = 3 * SLACK_THREADS + 12


def test_many_calls_leave_the_process_with_the_threads_and_descriptors_it_had(
    tmp_path: Path,
) -> None:
    # A process of its own: the engine is one per process and starts with its configuration.
    run = subprocess.run(
        [sys.executable, "-m", "tests.store.long_running", str(tmp_path / "chdb"), str(CALLS)],
        cwd=SERVICE_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    used = json.loads(run.stdout.strip().splitlines()[-1])

    assert used["most_parts"] > 100  # more than the engine removes one by one by default
    grown_threads = used["after"]["threads"] - used["before"]["threads"]
    grown_descriptors = used["after"]["descriptors"] - used["before"]["descriptors"]
    assert grown_threads <= SLACK_THREADS, used
    assert grown_descriptors <= SLACK_DESCRIPTORS, used
