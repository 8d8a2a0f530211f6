"""Refusing to start when a port the platform needs is already taken, naming who needs it."""

from __future__ import annotations

from collections.abc import Mapping

from fleet.errors import FleetError
from fleet.infra.net import port_is_taken


def ensure_ports_free(wanted: Mapping[str, int]) -> None:
    """`wanted` maps a description ("ms_auth grpc") to a port; fail on the first one taken."""
    taken = [(who, port) for who, port in wanted.items() if port_is_taken(port)]
    if taken:
        listing = ", ".join(f"{port} ({who})" for who, port in taken)
        raise FleetError(
            f"port {listing} {'is' if len(taken) == 1 else 'are'} already in use by another "
            "process; stop it, or change the port in repos.yaml"
        )
