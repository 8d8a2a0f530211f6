"""The ports of a local run: repos.yaml's, moved by an offset when asked (to run beside another
run), and refusing to start when one is taken, naming who needs it."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fleet.errors import FleetError
from fleet.infra.net import port_is_taken
from fleet.manifest import Service
from fleet.up.mail import MAIL_SINK_AFTER_EDGE_GRPC, sends_mail

WEB_APP_AFTER_EDGE_GRPC = 10
"""The web app's own server listens this many ports above the edge's gRPC port (8100 by default);
browsers reach it through the edge."""

HIGHEST_PORT = 65535
# The Fetch standard's "bad ports" from 1024 up: browsers refuse to load anything from them.
BROWSER_BLOCKED_PORTS = frozenset(
    {1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6679, 6697, 10080}
    | set(range(6665, 6670))
)


@dataclass(frozen=True)
class PortPlan:
    """Where each process of the run listens: repos.yaml's ports plus `offset`."""

    edge: int
    edge_grpc: int
    broker: int
    offset: int = 0

    @property
    def mail_sink(self) -> int:
        """The local SMTP sink (the edge runs it when the mailing service runs)."""
        return self.edge_grpc + MAIL_SINK_AFTER_EDGE_GRPC

    @property
    def web_app(self) -> int:
        """The web app's Next.js server, which the edge forwards the app's requests to."""
        return self.edge_grpc + WEB_APP_AFTER_EDGE_GRPC

    def of(self, service: Service) -> dict[str, int]:
        """`{"grpc": 50051, "http": 8081, ...}` for `service` in this run."""
        return {kind: port + self.offset for kind, port in service.ports.assigned().items()}

    def grpc(self, service: Service) -> int:
        return self.of(service)["grpc"]

    def wanted(self, services: list[Service]) -> dict[str, int]:
        """Every port of the run, keyed by who needs it ("ms_auth grpc")."""
        ports = {
            "the local broker": self.broker,
            "the edge": self.edge,
            "the edge grpc": self.edge_grpc,
            "the web app": self.web_app,
        }
        if sends_mail(services):
            ports["the local mail sink"] = self.mail_sink
        for service in services:
            for kind, port in self.of(service).items():
                ports[f"{service.name} {kind}"] = port
        return ports


def ensure_browsers_may_load(edge_port: int) -> None:
    """The page and gRPC-web must be reachable from a browser."""
    if edge_port in BROWSER_BLOCKED_PORTS:
        raise FleetError(
            f"port {edge_port} (the edge) is one browsers refuse to load pages from; "
            "choose another with --edge-port or --port-offset"
        )


def ensure_ports_free(wanted: Mapping[str, int]) -> None:
    """Fail, naming every taken port and who needs it, before anything starts."""
    out_of_range = [(who, port) for who, port in wanted.items() if not 0 < port <= HIGHEST_PORT]
    if out_of_range:
        who, port = out_of_range[0]
        raise FleetError(f"port {port} ({who}) is not a valid port; use a smaller --port-offset")
    taken = [(who, port) for who, port in wanted.items() if port_is_taken(port)]
    if taken:
        listing = ", ".join(f"{port} ({who})" for who, port in taken)
        holders = [port_holder(port) for _, port in taken]
        named = list(dict.fromkeys(holder for holder in holders if holder is not None))
        if None in holders:
            named.append("another process")
        raise FleetError(
            f"port {listing} {'is' if len(taken) == 1 else 'are'} already in use by "
            f"{' and '.join(named)}; stop it, or move the platform's ports with --port-offset"
        )


def port_holder(port: int) -> str | None:
    """`pid 123 (python -m ms_auth)`: a process this user may see with a socket bound to `port`
    on loopback or any address (from /proc); None when none is found."""
    inodes = _socket_inodes(port)
    if not inodes:
        return None
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            descriptors = list((entry / "fd").iterdir())
        except OSError:
            continue
        for descriptor in descriptors:
            try:
                target = os.readlink(descriptor)
            except OSError:
                continue
            if target in inodes:
                return f"pid {entry.name} ({_command(entry)})"
    return None


def _socket_inodes(port: int) -> set[str]:
    """`socket:[inode]` of the TCP sockets bound to `port` (TIME_WAIT's have none)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if (
                len(fields) > 9
                and int(fields[1].rsplit(":", 1)[1], 16) == port
                and fields[9] != "0"
            ):
                found.add(f"socket:[{fields[9]}]")
    return found


def _command(process: Path, longest: int = 80) -> str:
    try:
        words = process.joinpath("cmdline").read_bytes().rstrip(b"\0").split(b"\0")
    except OSError:
        return "?"
    command = " ".join(" ".join(word.decode(errors="replace").split()) for word in words)
    return command if len(command) <= longest else command[: longest - 1] + "…"
