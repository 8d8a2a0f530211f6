"""One `fleet up` per state directory: the run holds a lock on `<state dir>/owner.pid` (with its
pid inside) for as long as it lives, and the kernel releases it however the run ends.

A second run must find the owner before it touches anything: stopping "a broker a killed run
left" is only right when no live run owns the directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path

from fleet.errors import FleetError

OWNER_FILE = "owner.pid"


@contextlib.contextmanager
def owning(home: Path) -> Iterator[None]:
    """Own `home` while the block runs; FleetError naming the owner's pid when another run does."""
    path = home / OWNER_FILE
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(descriptor, 32, 0).decode(errors="replace").strip() or "unknown"
            raise FleetError(
                f"another `fleet up` (pid {owner}) is running on {home}; stop it first, "
                "or give this run its own --state-dir"
            ) from None
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(descriptor)
