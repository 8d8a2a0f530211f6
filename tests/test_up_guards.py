"""A running `fleet up` brings a killed service back, keeps its state directory to itself (a
second run is turned away before it touches anything), listens on loopback only, and its edge
answers its own page and the origins allowed with --allow-origin, no other."""

from __future__ import annotations

import ipaddress
import os
import signal
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from fleet.up.readiness import is_serving
from fleet.up.supervision import RestartPolicy

from .edge_harness import (
    STOP_DEADLINE,
    PlatformUp,
    log_in,
    platform_up,
    register,
    start_fleet_up,
    unique_email,
    wait_until_gone,
)

SERVICES = ["ms_auth", "ms_knowledge"]
FRONTEND = "http://localhost:3000"
LISTEN = "0A"


@pytest.fixture(scope="module")
def state_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("up").resolve()


@pytest.fixture(scope="module")
def platform(state_dir: Path) -> Iterator[PlatformUp]:
    with platform_up(state_dir, SERVICES, None, "--allow-origin", FRONTEND) as running:
        yield running


def listening_addresses(port: int) -> set[str]:
    """The addresses sockets listen on at `port`, read from the kernel's socket tables."""
    found: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.split(":")
            if state != LISTEN or int(hex_port, 16) != port:
                continue
            raw = bytes.fromhex(address)
            # The kernel prints each 32-bit word in host (little-endian) order.
            ordered = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
            listening = ipaddress.ip_address(ordered)
            # An IPv6 socket bound to ::ffff:127.0.0.1 listens on IPv4 loopback.
            mapped = listening.ipv4_mapped if isinstance(listening, ipaddress.IPv6Address) else None
            found.add(str(mapped or listening))
    return found


def test_every_port_of_the_run_listens_on_loopback_only(platform: PlatformUp) -> None:
    services = [platform.manifest.service(name) for name in SERVICES]
    addresses = {
        f"{who} {port}": listening_addresses(port)
        for who, port in platform.ports.wanted(services).items()
    }
    assert addresses == {who: {"127.0.0.1"} for who in addresses}


def preflight_status(platform: PlatformUp, origin: str) -> int:
    request = urllib.request.Request(
        f"{platform.edge_url}knowledge.auth.v1.AuthService/Login",
        method="OPTIONS",
        headers={"Origin": origin, "Access-Control-Request-Method": "POST"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return refused.code


def test_the_edge_answers_its_own_page_and_the_allowed_origin_only(platform: PlatformUp) -> None:
    own = platform.edge_url.rstrip("/")
    assert preflight_status(platform, own) == 204
    assert preflight_status(platform, FRONTEND) == 204
    assert preflight_status(platform, "http://localhost:3001") == 403


def test_a_second_run_on_the_same_state_directory_is_turned_away_naming_the_owner(
    platform: PlatformUp, state_dir: Path
) -> None:
    email = unique_email()
    register(platform, email)
    second = start_fleet_up(state_dir, platform.ports, SERVICES)
    _, stderr = second.communicate(timeout=STOP_DEADLINE)
    assert second.returncode == 1
    assert stderr.splitlines() == [
        f"fleet: another `fleet up` (pid {platform.process.pid}) is running on {state_dir}; "
        "stop it first, or give this run its own --state-dir"
    ]
    with socket.create_connection(("127.0.0.1", platform.ports.broker), timeout=5):
        pass
    assert log_in(platform, email)
    assert all(is_serving(int(platform.target(name).rsplit(":")[1])) for name in SERVICES)


def test_a_service_killed_with_sigkill_comes_back_serving_and_the_log_says_so(
    platform: PlatformUp,
) -> None:
    os.kill(platform.pid_of("ms_knowledge"), signal.SIGKILL)
    said = platform.wait_for_stderr("ms_knowledge SERVING again")
    assert "ms_knowledge exited (signal 9); restarting in 1s (restart 1)\n" in said
    assert is_serving(int(platform.target("ms_knowledge").rsplit(":")[1]))


def test_a_service_that_keeps_crashing_stops_the_platform_with_an_error(tmp_path: Path) -> None:
    with platform_up(tmp_path, SERVICES) as running:
        started = running.pids()
        pid = running.pid_of("ms_knowledge")
        for _ in range(RestartPolicy().crashes_tolerated):
            os.kill(pid, signal.SIGKILL)
            restarted = running.wait_for_stderr("ms_knowledge restarted (pid ")[-1]
            pid = int(restarted.rsplit("pid ", 1)[1].rstrip(")\n"))
        os.kill(pid, signal.SIGKILL)
        code, stderr = running.wait()
    assert code == 1
    assert stderr.splitlines()[-1] == (
        "fleet: ms_knowledge crashed 5 times within 300s (last: signal 9); stopped the platform "
        f"instead of restarting it again; see {tmp_path.resolve() / 'logs' / 'ms_knowledge.log'}"
    )
    assert wait_until_gone(started)
