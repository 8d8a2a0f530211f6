"""Running the local edge on an ephemeral port for tests, and the whole platform with `fleet up`."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import fcntl
import os
import queue
import random
import signal
import struct
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import grpc
from aiohttp import web
from fleet.edge.app import CLASSIC_PAGE_PATH, HANDLER_CANCELLATION, build_edge
from fleet.edge.config import EdgeConfig
from fleet.infra.net import port_is_taken
from fleet.manifest import Manifest, load_manifest
from fleet.paths import find_repo_root
from fleet.up.ports import BROWSER_BLOCKED_PORTS, PortPlan
from knowledge.auth.v1 import auth_service_pb2, auth_service_pb2_grpc
from knowledge.knowledge.v1 import (
    document_pb2,
    document_service_pb2_grpc,
    space_pb2,
    space_service_pb2_grpc,
)
from knowledge.knowledge.v1 import document_service_pb2 as document_rpc
from knowledge.knowledge.v1 import space_service_pb2 as space_rpc


@contextlib.asynccontextmanager
async def running_edge(
    grpc_routes: dict[str, str] | None = None,
    websocket_routes: dict[str, str] | None = None,
    allowed_origins: list[str] | None = None,
    grpc_port: int | None = None,
    max_websocket_message_bytes: int | None = None,
    web_app: str | None = None,
    static_dir: Path | None = None,
) -> AsyncIterator[str]:
    """Start the edge on 127.0.0.1:<free port>; yields its base URL. `websocket_routes` maps a
    route table prefix (like /ws/canvas/) to its upstream, rewritten to / as the table's are."""
    settings: dict[str, object] = {
        "port": 0,
        "grpc_port": grpc_port,
        "grpc_routes": grpc_routes or {},
        "websocket_routes": [
            {"path_prefix": prefix, "rewrite": "/", "upstream": upstream}
            for prefix, upstream in (websocket_routes or {}).items()
        ],
        "allowed_origins": allowed_origins or [],
        "web_app": web_app,
        "static_dir": static_dir,
    }
    if max_websocket_message_bytes is not None:
        settings["max_websocket_message_bytes"] = max_websocket_message_bytes
    config = EdgeConfig.model_validate(settings)
    runner = web.AppRunner(build_edge(config), handler_cancellation=HANDLER_CANCELLATION)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@dataclass
class RawWebSocket:
    """A WebSocket spoken byte by byte, to send what no well-behaved client library would."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    status: int

    def send_frame_header(self, opcode: int, length: int) -> None:
        """A final, masked frame's header announcing `length` payload bytes, and its mask."""
        self.writer.write(struct.pack(">BBQ", 0x80 | opcode, 0x80 | 127, length) + os.urandom(4))

    async def close_code(self) -> int:
        """The code of the close frame the server sends (skipping any other frame before it)."""
        while True:
            opcode, length = struct.unpack(">BB", await self.reader.readexactly(2))
            if length == 126:
                (length,) = struct.unpack(">H", await self.reader.readexactly(2))
            elif length == 127:
                (length,) = struct.unpack(">Q", await self.reader.readexactly(8))
            payload = await self.reader.readexactly(length)
            if opcode & 0x0F == 0x8:
                return int(struct.unpack(">H", payload[:2])[0])


@contextlib.asynccontextmanager
async def raw_websocket(
    base_url: str, path: str, origin: str | None = None
) -> AsyncIterator[RawWebSocket]:
    """An upgrade request to `path` on the edge at `base_url`; the socket is aborted afterwards
    (no close frame), as a browser tab that crashes would leave it."""
    host_port = base_url.removeprefix("http://")
    host, port = host_port.rsplit(":", 1)
    reader, writer = await asyncio.open_connection(host, int(port))
    key = base64.b64encode(os.urandom(16)).decode()
    headers = [
        f"GET {path} HTTP/1.1",
        f"Host: {host_port}",
        "Upgrade: websocket",
        "Connection: Upgrade",
        f"Sec-WebSocket-Key: {key}",
        "Sec-WebSocket-Version: 13",
        *([f"Origin: {origin}"] if origin is not None else []),
    ]
    writer.write(("\r\n".join(headers) + "\r\n\r\n").encode())
    head = await reader.readuntil(b"\r\n\r\n")
    try:
        yield RawWebSocket(reader, writer, status=int(head.split(b" ", 2)[1]))
    finally:
        writer.transport.abort()


# `fleet up` as a user runs it, in a subprocess, on ports moved out of the way of a developer's run.

REPO_ROOT = Path(__file__).resolve().parent.parent
STARTED_LINE = "ready in "
START_DEADLINE = 300.0
PASSWORD = "correct horse battery staple"
STOP_DEADLINE = 90.0


@dataclass
class PlatformUp:
    """A running `fleet up`; `stdout` holds what it printed so far, `stderr` likewise (read live,
    so a test can wait for what it reports)."""

    process: subprocess.Popen[str]
    ports: PortPlan
    manifest: Manifest
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)
    _stderr_lines: queue.Queue[str] = field(default_factory=queue.Queue)
    _stderr_reader: threading.Thread | None = None

    def __post_init__(self) -> None:
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr.append(line)
            self._stderr_lines.put(line)

    def wait_for_stderr(self, wanted: str, deadline: float = START_DEADLINE) -> list[str]:
        """The lines printed on stderr up to the first one containing `wanted`."""
        seen: list[str] = []
        ends = time.monotonic() + deadline
        while time.monotonic() < ends:
            try:
                line = self._stderr_lines.get(timeout=0.5)
            except queue.Empty:
                continue
            seen.append(line)
            if wanted in line:
                return seen
        raise AssertionError(f"fleet up never printed {wanted!r}; it printed:\n{''.join(seen)}")

    def target(self, service: str) -> str:
        """host:port of a service's gRPC server in this run."""
        return f"127.0.0.1:{self.ports.grpc(self.manifest.service(service))}"

    @property
    def edge_target(self) -> str:
        """host:port of the edge's gRPC pass-through: every service behind one address."""
        return f"127.0.0.1:{self.ports.edge_grpc}"

    @property
    def edge_url(self) -> str:
        """The edge's root: the web app, and gRPC-web at the same address."""
        return f"http://127.0.0.1:{self.ports.edge}/"

    @property
    def page_url(self) -> str:
        """The classic static page, which the web app replaces view by view."""
        return f"http://127.0.0.1:{self.ports.edge}{CLASSIC_PAGE_PATH}"

    def table_row(self, process: str) -> str:
        """The printed table's row for `process`."""
        rows = [line for line in self.stdout if line.startswith(f"│ {process} ")]
        assert len(rows) == 1, f"expected one row for {process} in:\n{''.join(self.stdout)}"
        return rows[0]

    def pid_of(self, process: str) -> int:
        """The process id the table lists for `process`."""
        return int(self.table_row(process).split("│")[2])

    def pids(self) -> list[int]:
        """The process ids the table lists."""
        return [int(line.split("│")[2]) for line in self.stdout if line.startswith("│ ")]

    def stop(self) -> tuple[int, str]:
        """SIGTERM, as a service manager or `kill` would send it; the exit code and stderr."""
        self.process.send_signal(signal.SIGTERM)
        return self.wait()

    def wait(self) -> tuple[int, str]:
        """Until it exits by itself; the exit code and everything it printed on stderr."""
        try:
            self.process.wait(timeout=STOP_DEADLINE)
        except subprocess.TimeoutExpired:
            # What it started dies with it (parent-death signal); the test fails on the code.
            self.process.kill()
            self.process.wait()
        if self._stderr_reader is not None:
            self._stderr_reader.join(timeout=STOP_DEADLINE)
        return self.process.returncode, "".join(self.stderr)


def is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_until_gone(pids: list[int]) -> bool:
    """True once none of `pids` runs (the kernel's parent-death signal takes a moment)."""
    deadline = time.monotonic() + STOP_DEADLINE
    while time.monotonic() < deadline:
        if not any(is_running(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


PORT_RESERVATIONS = Path(tempfile.gettempdir()) / "fleet-test-ports"
_reserved: list[int] = []
"""Descriptors of the reservation files this test process holds locks on, until it exits."""


def free_port_plan(manifest: Manifest, services: list[str]) -> PortPlan:
    """A plan with every port of the run free, away from repos.yaml's own ports, and reserved
    for this test process: another test process on the machine (the other xdist worker, another
    run of the suite) never gets one of its ports, though nothing listens on them yet (a run
    still building) or any longer (a killed run, before the next one on the same ports)."""
    chosen = [manifest.service(name) for name in services]
    for _ in range(200):
        offset = random.randrange(1000, 15000)
        plan = PortPlan(
            edge=8080 + offset, edge_grpc=8090 + offset, broker=19092 + offset, offset=offset
        )
        if plan.edge in BROWSER_BLOCKED_PORTS:
            continue
        ports = plan.wanted(chosen).values()
        if not any(port_is_taken(port) for port in ports) and _reserve(ports):
            return plan
    raise AssertionError("no free set of ports found for `fleet up`")


def _reserve(ports: Iterable[int]) -> bool:
    """Locks every port's reservation file (held until this process exits); False, holding none,
    when another process (or an earlier plan of this one) holds one of them."""
    PORT_RESERVATIONS.mkdir(exist_ok=True)
    held: list[int] = []
    for port in ports:
        descriptor = os.open(PORT_RESERVATIONS / str(port), os.O_RDWR | os.O_CREAT, 0o666)
        held.append(descriptor)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            for taken in held:
                os.close(taken)
            return False
    _reserved.extend(held)
    return True


def start_fleet_up(
    state_dir: Path, ports: PortPlan, services: list[str], *options: str
) -> subprocess.Popen[str]:
    """`fleet up --only ...` on `ports`, keeping its state in `state_dir`, with `options`."""
    return subprocess.Popen(
        [
            str(REPO_ROOT / ".venv" / "bin" / "fleet"),
            "up",
            "--only",
            ",".join(services),
            "--port-offset",
            str(ports.offset),
            "--edge-port",
            str(ports.edge - ports.offset),
            "--edge-grpc-port",
            str(ports.edge_grpc - ports.offset),
            "--broker-port",
            str(ports.broker - ports.offset),
            "--state-dir",
            str(state_dir),
            *options,
        ],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@contextlib.contextmanager
def platform_up(
    state_dir: Path, services: list[str], ports: PortPlan | None = None, *options: str
) -> Iterator[PlatformUp]:
    """`fleet up` until it prints that it is ready (on free ports unless given); stopped with
    SIGTERM afterwards."""
    manifest = load_manifest(find_repo_root(REPO_ROOT))
    ports = ports or free_port_plan(manifest, services)
    running = PlatformUp(start_fleet_up(state_dir, ports, services, *options), ports, manifest)
    try:
        _read_until_ready(running)
        yield running
    finally:
        if running.process.poll() is None:
            running.stop()


def _read_until_ready(running: PlatformUp) -> None:
    stdout = running.process.stdout
    assert stdout is not None
    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline:
        line = stdout.readline()
        if not line:
            _, stderr = running.wait()
            raise AssertionError(f"fleet up ended before it was ready:\n{stderr}")
        running.stdout.append(line)
        if line.startswith(STARTED_LINE):
            return
    raise AssertionError(f"fleet up was not ready within {START_DEADLINE:.0f}s")


# Signing in to a running platform, as any client does first.


def bearer(token: str) -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {token}"),)


PLATFORM_ADMIN = "platform-admin@example.org"
"""Registered with this address, an account of the shared platform starts as an administrator."""


def unique_email() -> str:
    return f"{uuid.uuid4().hex[:10]}@example.org"


def registered(
    platform: PlatformUp, email: str, display_name: str = ""
) -> auth_service_pb2.RegisterResponse:
    """A new account: its user and tokens."""
    with grpc.insecure_channel(platform.edge_target) as channel:
        return auth_service_pb2_grpc.AuthServiceStub(channel).Register(
            auth_service_pb2.RegisterRequest(
                email=email, password=PASSWORD, display_name=display_name or email
            )
        )


def register(platform: PlatformUp, email: str) -> str:
    """A new account's access token."""
    return str(registered(platform, email).tokens.access_token)


def space_with_document(
    platform: PlatformUp, token: str, space_name: str, title: str, content: str
) -> document_pb2.Document:
    """A new space of the token's user, named `space_name`, with one document in it."""
    with grpc.insecure_channel(platform.edge_target) as channel:
        space = (
            space_service_pb2_grpc.SpaceServiceStub(channel)
            .CreateSpace(
                space_rpc.CreateSpaceRequest(space=space_pb2.Space(display_name=space_name)),
                metadata=bearer(token),
            )
            .space
        )
        return (
            document_service_pb2_grpc.DocumentServiceStub(channel)
            .CreateDocument(
                document_rpc.CreateDocumentRequest(
                    parent=space.name, document=document_pb2.Document(title=title, content=content)
                ),
                metadata=bearer(token),
            )
            .document
        )


def admin_token(platform: PlatformUp) -> str:
    """An access token of the shared platform's administrator (PLATFORM_ADMIN), registered by
    the first test that needs one and signed in by the others."""
    try:
        return register(platform, PLATFORM_ADMIN)
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.ALREADY_EXISTS:
            raise
    return log_in(platform, PLATFORM_ADMIN)


def log_in(platform: PlatformUp, email: str) -> str:
    with grpc.insecure_channel(platform.edge_target) as channel:
        answer = auth_service_pb2_grpc.AuthServiceStub(channel).Login(
            auth_service_pb2.LoginRequest(email=email, password=PASSWORD)
        )
    return str(answer.tokens.access_token)
