"""Loopback ports for the servers a test starts, chosen below the kernel's ephemeral range.

Binding port 0 finds a free port in the ephemeral range, the range the kernel also draws the local
port of every outgoing connection from. Between that probe and the server's own bind, any client
on the machine (another test worker's PostgreSQL or Kafka connection) can be given the same port,
and the server then exits with "address already in use". Ports below the range are never handed
to outgoing connections, so only another server picking the same port at random can take one.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
LINUX_DEFAULT_EPHEMERAL_RANGE = (32768, 60999)
# Above the ports well-known services and their usual alternatives (8080, 9092, ...) listen on.
LOWEST_PORT = 10000
# Fewer candidates than this below the range and the ports above it are used instead.
ENOUGH_CANDIDATES = 2000
ATTEMPTS = 200

_chooser = random.SystemRandom()  # never repeats another process's choices, whatever it seeds


def ephemeral_range() -> tuple[int, int]:
    """The lowest and highest local port the kernel gives outgoing connections."""
    try:
        low, high = (int(bound) for bound in EPHEMERAL_RANGE_FILE.read_text().split())
    except (OSError, ValueError):
        return LINUX_DEFAULT_EPHEMERAL_RANGE
    return low, high


def candidate_ports() -> range:
    """The ports a server may be given: below the ephemeral range, or above it where too few
    lie below."""
    low, high = ephemeral_range()
    if low - LOWEST_PORT >= ENOUGH_CANDIDATES:
        return range(LOWEST_PORT, low)
    return range(high + 1, 65536)


def bindable(port: int, host: str = "127.0.0.1") -> bool:
    """Whether a server could bind `port` on `host` now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def free_port() -> int:
    """A loopback TCP port nothing is bound to right now and no outgoing connection will take."""
    candidates = candidate_ports()
    for _ in range(ATTEMPTS):
        port = _chooser.choice(candidates)
        if bindable(port):
            return port
    raise RuntimeError(
        f"no free loopback port among {ATTEMPTS} tried in {candidates.start}-{candidates.stop - 1}"
    )
