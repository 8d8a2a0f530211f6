"""`fleet up` stops everything it started on SIGTERM, keeps the data for the next run, and names a
taken port and what holds it instead of failing with a traceback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from fleet.manifest import load_manifest
from fleet.paths import find_repo_root
from fleet.up.leftovers import RUN_STATE_DIR_VARIABLE, stop_leftovers

from .conftest import run_fleet
from .edge_harness import (
    REPO_ROOT,
    STOP_DEADLINE,
    free_port_plan,
    is_running,
    log_in,
    platform_up,
    register,
    start_fleet_up,
    unique_email,
    wait_until_gone,
)

SERVICES = ["ms_auth", "ms_knowledge"]


def test_sigterm_stops_every_process_and_the_next_run_keeps_the_accounts(tmp_path: Path) -> None:
    email = unique_email()
    with platform_up(tmp_path, SERVICES) as first:
        register(first, email)
        started = first.pids()
        code, stderr = first.stop()
    assert code == 0, stderr
    assert stderr.splitlines()[-1] == "stopped"
    assert len(started) == len(SERVICES) + 3  # and the edge, the web app and the broker
    assert [pid for pid in started if is_running(pid)] == []

    with platform_up(tmp_path, SERVICES) as second:
        assert log_in(second, email)


def test_a_killed_run_takes_its_services_along_and_the_next_run_stops_its_broker(
    tmp_path: Path,
) -> None:
    with platform_up(tmp_path, SERVICES) as killed:
        killed.process.kill()
        killed.process.wait()
        started = {name: killed.pid_of(name) for name in (*SERVICES, "edge", "web", "kafka")}
    assert wait_until_gone([started[name] for name in (*SERVICES, "edge", "web")])
    assert is_running(started["kafka"])

    with platform_up(tmp_path, SERVICES, killed.ports) as next_run:
        code, stderr = next_run.stop()
    assert code == 0, stderr
    assert f"stopped the broker a killed run left running (pid {started['kafka']})" in stderr
    assert not is_running(started["kafka"])


def test_a_taken_port_is_reported_in_one_line_naming_service_port_and_holder(
    tmp_path: Path,
) -> None:
    manifest = load_manifest(find_repo_root(REPO_ROOT))
    ports = free_port_plan(manifest, SERVICES)
    taken = ports.grpc(manifest.service("ms_knowledge"))
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        _, stderr = start_fleet_up(tmp_path, ports, SERVICES).communicate(timeout=STOP_DEADLINE)
    [line] = stderr.splitlines()
    assert line.startswith(
        f"fleet: port {taken} (ms_knowledge grpc) is already in use by pid {os.getpid()} ("
    )
    assert line.endswith("); stop it, or move the platform's ports with --port-offset")


def test_the_next_run_on_a_directory_stops_what_a_killed_run_on_it_left(tmp_path: Path) -> None:
    """A killed run's services get SIGTERM as it dies but may take a while to stop: the next run
    on the same directory stops them before it looks for free ports; others' are left alone."""
    sleeper = [sys.executable, "-c", "import time; time.sleep(600)"]
    left = subprocess.Popen(sleeper, env={**os.environ, RUN_STATE_DIR_VARIABLE: str(tmp_path)})
    elsewhere = tmp_path / "another"
    other = subprocess.Popen(sleeper, env={**os.environ, RUN_STATE_DIR_VARIABLE: str(elsewhere)})
    try:
        time.sleep(0.5)  # until each has exec'd, with its environment
        found = stop_leftovers(tmp_path, tmp_path / "kafka")
        assert found.processes == [left.pid]
        assert found.broker == []
        assert left.wait(timeout=STOP_DEADLINE) == -signal.SIGTERM
        assert other.poll() is None
    finally:
        for process in (left, other):
            process.kill()
            process.wait()


def test_an_unknown_service_in_only_is_named_with_the_known_ones(tmp_path: Path) -> None:
    finished = run_fleet(
        "up", "--only", "ms_auth,ms_nothing", "--state-dir", str(tmp_path), cwd=REPO_ROOT
    )
    assert finished.returncode == 1
    assert finished.stderr.startswith("fleet: --only names ms_nothing, not in repos.yaml (known: ")
    assert "ms_knowledge" in finished.stderr.splitlines()[0]


def test_an_edge_port_browsers_refuse_is_refused_before_anything_starts(tmp_path: Path) -> None:
    finished = run_fleet(
        "up",
        "--only",
        "ms_auth",
        "--edge-port",
        "10080",
        "--state-dir",
        str(tmp_path),
        cwd=REPO_ROOT,
    )
    assert finished.returncode == 1
    assert finished.stderr.splitlines() == [
        "fleet: port 10080 (the edge) is one browsers refuse to load pages from; "
        "choose another with --edge-port or --port-offset"
    ]


def test_an_allowed_origin_that_is_no_origin_is_refused_naming_it(tmp_path: Path) -> None:
    finished = run_fleet("up", "--allow-origin", "*", "--state-dir", str(tmp_path), cwd=REPO_ROOT)
    assert finished.returncode == 1
    assert finished.stderr.splitlines() == [
        "fleet: --allow-origin '*' is not an origin like http://localhost:3000 "
        "('*' and 'null' are never allowed)"
    ]
