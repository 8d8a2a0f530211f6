"""Loopback networking helpers for processes the fleet starts."""

from __future__ import annotations

import random
import socket
import time
from pathlib import Path

from fleet.errors import FleetError

LOOPBACK = "127.0.0.1"
EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_chooser = random.SystemRandom()


def free_port() -> int:
    """A loopback port nothing is bound to now, below the kernel's ephemeral range: a port found
    by binding port 0 lies in that range, where any outgoing connection on the machine may be given
    it before the server that was meant to listen on it binds ("address already in use"). The
    kit's `knowledge_kit.testing.ports` chooses the same way for services' tests; the fleet CLI
    cannot import it, since it runs before the kit is installed."""
    low, high = _ephemeral_range()
    candidates = range(10000, low) if low - 10000 >= 2000 else range(high + 1, 65536)
    for _ in range(200):
        port = _chooser.choice(candidates)
        if not port_is_taken(port):
            return port
    raise FleetError(
        f"no free loopback port among 200 tried in {candidates.start}-{candidates.stop - 1}"
    )


def _ephemeral_range() -> tuple[int, int]:
    try:
        low, high = (int(bound) for bound in EPHEMERAL_RANGE_FILE.read_text().split())
    except (OSError, ValueError):
        return 32768, 60999  # Linux's default
    return low, high


def port_is_taken(port: int, host: str = LOOPBACK) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return True
        return False


def wait_for_port(port: int, timeout: float, host: str = LOOPBACK) -> bool:
    """True once something accepts connections on `port`, False after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.1)
    return False
