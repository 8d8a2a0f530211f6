"""The edge under many concurrent WebSockets, held and released: what a socket costs through the
edge against the same socket straight to the service, and whether the edge gives back every
upstream socket, file descriptor and its memory afterwards.

    .venv/bin/python benchmarks/edge_websockets.py [--sockets 1000] [--rounds 3] [--in-flight 50]

The edge runs as `fleet up` runs it (`python -m fleet.edge CONFIG.json`, a process of its own) in
front of an echoing WebSocket service (benchmarks/echo_upstream.py, another process). Each round
opens `--sockets` WebSockets (at most `--in-flight` handshakes at a time), holds them all,
exchanges one message on each, closes them all at once and waits (bounded) until the service
holds none: once through the edge and once straight to the service, the baseline, in alternating
order so that background load hits both alike. Prints handshake and echo p50/p95 per path with the
edge/direct ratios, and the edge's file descriptors, TCP sockets and memory (from /proc) at the
start, while held and after release. On a shared machine latencies swing with the neighbours'
load, so it also prints the CPU time per socket of the edge and of the service, which that load
barely moves.

Exits non-zero if a socket failed, if after a round the edge's file descriptors or the service's
open sockets are not back to their start, or if the edge's memory after release grows more than
10% past the first round's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import resource
import select
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from fleet.edge.config import EdgeConfig, WebSocketUpstream
from fleet.infra.net import LOOPBACK, free_port
from fleet.up.edge_process import edge_is_ready
from proc_stats import cpu_seconds

HERE = Path(__file__).resolve().parent
ROUTE_PREFIX = "/ws/echo/"
ROOM = "room"
STEP_SECONDS = 30.0  # one handshake, echo or close
PHASE_SECONDS = 300.0  # every socket's handshake, or echo, or close
START_SECONDS = 30.0
RELEASE_SECONDS = 30.0
STOP_SECONDS = 10.0
POLL_SECONDS = 0.1
RSS_GROWTH_LIMIT = 0.10
WARM_UP_SOCKETS = 20
FAILURES_SHOWN = 3
PATHS = ("edge", "direct")


@dataclass(frozen=True)
class ProcessFigures:
    """What /proc says about one process at one moment."""

    rss_mb: float
    fds: int
    tcp_sockets: int
    cpu_seconds: float


def process_figures(pid: int) -> ProcessFigures:
    status = Path(f"/proc/{pid}/status").read_text().splitlines()
    rss_kb = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
    links = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):  # closed meanwhile
            links.append(os.readlink(fd))
    sockets = {link for link in links if link.startswith("socket:[")}
    return ProcessFigures(rss_kb / 1024, len(links), len(sockets & _tcp_inodes()), cpu_seconds(pid))


def _tcp_inodes() -> set[str]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            inodes.add(f"socket:[{line.split()[9]}]")
    return inodes


@dataclass(frozen=True)
class Moment:
    """The edge's and the service's figures, and the sockets the service holds open."""

    edge: ProcessFigures
    upstream: ProcessFigures
    upstream_open: int

    def of(self, process: str) -> ProcessFigures:
        return self.edge if process == "edge" else self.upstream


@dataclass
class Round:
    """One round on one path: the latencies of the sockets that worked and what went wrong."""

    path: str
    number: int
    handshakes_ms: list[float] = field(default_factory=list)
    echoes_ms: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    moments: dict[str, Moment] = field(default_factory=dict)  # start, held, released

    def cpu_ms_per_socket(self, process: str, sockets: int) -> float:
        start, end = (self.moments[m].of(process).cpu_seconds for m in ("start", "released"))
        return (end - start) * 1000 / sockets


@dataclass
class Bench:
    edge_pid: int
    edge_port: int
    upstream_pid: int
    upstream_port: int
    in_flight: int
    control: aiohttp.ClientSession

    def url(self, path: str) -> str:
        if path == "edge":
            return f"ws://{LOOPBACK}:{self.edge_port}{ROUTE_PREFIX}{ROOM}"
        return f"ws://{LOOPBACK}:{self.upstream_port}/{ROOM}"

    async def moment(self) -> Moment:
        async with asyncio.timeout(STEP_SECONDS):
            url = f"http://{LOOPBACK}:{self.upstream_port}/open"
            async with self.control.get(url) as reply:
                upstream_open = int(await reply.text())
        return Moment(
            process_figures(self.edge_pid), process_figures(self.upstream_pid), upstream_open
        )

    async def one_round(self, path: str, number: int, sockets: int) -> Round:
        """Open `sockets` WebSockets on `path`, hold them all, echo once on each, close them."""
        result = Round(path, number)
        result.moments["start"] = await self.moment()
        gate = asyncio.Semaphore(self.in_flight)
        # Like the browser page the edge serves: its own origin, as a browser sends it.
        origin = f"http://{LOOPBACK}:{self.edge_port}"
        opened: list[aiohttp.ClientWebSocketResponse] = []

        async def open_one(session: aiohttp.ClientSession) -> None:
            async with gate:
                began = time.perf_counter()
                try:
                    async with asyncio.timeout(STEP_SECONDS):
                        socket = await session.ws_connect(self.url(path), origin=origin)
                except (aiohttp.ClientError, OSError, TimeoutError) as exc:
                    result.failures.append(f"handshake: {_described(exc)}")
                    return
                result.handshakes_ms.append((time.perf_counter() - began) * 1000)
                opened.append(socket)

        async def echo_one(index: int, socket: aiohttp.ClientWebSocketResponse) -> None:
            text = f"message {index}"
            async with gate:
                began = time.perf_counter()
                try:
                    async with asyncio.timeout(STEP_SECONDS):
                        await socket.send_str(text)
                        reply = await socket.receive_str()
                except (aiohttp.ClientError, OSError, TimeoutError, TypeError) as exc:
                    result.failures.append(f"echo: {_described(exc)}")
                    return
                result.echoes_ms.append((time.perf_counter() - began) * 1000)
                if reply != text:
                    result.failures.append(f"echo: sent {text!r}, received {reply!r}")

        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as session:
            try:
                async with asyncio.timeout(PHASE_SECONDS):
                    await asyncio.gather(*(open_one(session) for _ in range(sockets)))
                result.moments["held"] = await self.moment()
                async with asyncio.timeout(PHASE_SECONDS):
                    await asyncio.gather(*(echo_one(i, s) for i, s in enumerate(opened)))
            except TimeoutError:
                raise SystemExit(
                    f"{path} round {number}: {sockets} sockets did not open or echo "
                    f"within {PHASE_SECONDS:.0f}s"
                ) from None
            finally:
                result.failures.extend(await _close_all(opened))
        result.moments["released"] = await self.until_released(result.moments["start"])
        return result

    async def until_released(self, start: Moment) -> Moment:
        """The figures once the service holds no socket and the edge no more descriptors than at
        the start of the round, or after RELEASE_SECONDS, whichever comes first."""
        deadline = time.monotonic() + RELEASE_SECONDS
        while True:
            now = await self.moment()
            settled = now.upstream_open == 0 and now.edge.fds <= start.edge.fds
            if settled or time.monotonic() > deadline:
                return now
            await asyncio.sleep(POLL_SECONDS)


async def _close_all(opened: list[aiohttp.ClientWebSocketResponse]) -> list[str]:
    """Close every socket at once, as a page full of tabs going away would; what failed."""

    async def close_one(socket: aiohttp.ClientWebSocketResponse) -> str | None:
        try:
            async with asyncio.timeout(STEP_SECONDS):
                await socket.close()
        except (aiohttp.ClientError, OSError, TimeoutError) as exc:
            return f"close: {_described(exc)}"
        return None

    outcomes = await asyncio.gather(*(close_one(socket) for socket in opened))
    return [outcome for outcome in outcomes if outcome is not None]


def _described(error: Exception) -> str:
    if isinstance(error, TimeoutError):
        return f"no answer within {STEP_SECONDS:.0f}s"
    return repr(error)


# The two processes under test.


@contextlib.contextmanager
def running_upstream() -> Iterator[tuple[subprocess.Popen[str], int]]:
    """The echoing service and its port, the first line it prints."""
    command = [sys.executable, str(HERE / "echo_upstream.py")]
    with _stopped_afterwards(subprocess.Popen(command, stdout=subprocess.PIPE, text=True)) as up:
        assert up.stdout is not None
        readable, _, _ = select.select([up.stdout], [], [], START_SECONDS)
        if not readable:
            raise SystemExit(f"the echoing service printed no port within {START_SECONDS:.0f}s")
        yield up, int(up.stdout.readline())


@contextlib.contextmanager
def running_edge(upstream_port: int, scratch: Path) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """The edge as `fleet up` starts it, with one WebSocket route to the echoing service."""
    port = free_port()
    config = EdgeConfig(
        port=port,
        grpc_routes={},
        websocket_routes=[
            WebSocketUpstream(
                path_prefix=ROUTE_PREFIX, rewrite="/", upstream=f"{LOOPBACK}:{upstream_port}"
            )
        ],
    )
    config_path, log_path = scratch / "edge.json", scratch / "edge.log"
    config_path.write_text(config.model_dump_json())
    with log_path.open("w") as log:
        command = [sys.executable, "-m", "fleet.edge", str(config_path)]
        edge = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, text=True)
    with _stopped_afterwards(edge):
        deadline = time.monotonic() + START_SECONDS
        while not edge_is_ready(port):
            if edge.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the edge did not start:\n{log_path.read_text()[-2000:]}")
            time.sleep(POLL_SECONDS)
        yield edge, port


@contextlib.contextmanager
def _stopped_afterwards(process: subprocess.Popen[str]) -> Iterator[subprocess.Popen[str]]:
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def allow_open_files(sockets: int) -> None:
    """Raise this process's open-file limit (which the edge and the service inherit) to what
    `sockets` held at once need, or stop naming the limit."""
    needed = 2 * sockets + 1024  # the edge holds two per socket; the rest is headroom
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= needed:
        return
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise SystemExit(f"--sockets {sockets} needs {needed} open files; `ulimit -n` is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))


# The report.


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def print_rounds(rounds: list[Round], sockets: int) -> None:
    print(
        f"\n{'path':<7}{'round':>6} | {'handshake p50':>13} {'p95':>7} | {'echo p50':>8} "
        f"{'p95':>7} | {'failed':>6} | {'CPU/socket edge':>15} {'service':>8}"
    )
    for result in rounds:
        print(
            f"{result.path:<7}{result.number:>6} | {percentile(result.handshakes_ms, 0.5):>10.2f} ms "
            f"{percentile(result.handshakes_ms, 0.95):>7.2f} | "
            f"{percentile(result.echoes_ms, 0.5):>5.2f} ms {percentile(result.echoes_ms, 0.95):>7.2f}"
            f" | {len(result.failures):>6} | "
            f"{result.cpu_ms_per_socket('edge', sockets):>12.2f} ms "
            f"{result.cpu_ms_per_socket('upstream', sockets):>5.2f} ms"
        )


def print_edge_resources(rounds: list[Round], sockets: int) -> None:
    print(
        f"\nthe edge, through it ({sockets} sockets): start / held / after release"
        f"\n{'round':>5} | {'file descriptors':>22} | {'TCP sockets':>22} | "
        f"{'RSS MB':>19} | service open after"
    )
    for result in rounds:
        start, held, after = (result.moments[m] for m in ("start", "held", "released"))
        print(
            f"{result.number:>5} | {start.edge.fds:>6} {held.edge.fds:>7} {after.edge.fds:>7} | "
            f"{start.edge.tcp_sockets:>6} {held.edge.tcp_sockets:>7} {after.edge.tcp_sockets:>7} | "
            f"{start.edge.rss_mb:>5.0f} {held.edge.rss_mb:>6.0f} {after.edge.rss_mb:>6.0f} | "
            f"{after.upstream_open:>17}"
        )


def print_ratios(by_path: dict[str, list[Round]], first: Moment, sockets: int) -> None:
    def median(path: str, figure: str, share: float) -> float:
        values = [percentile(getattr(r, figure), share) for r in by_path[path]]
        return float(statistics.median(values))

    print("\nedge / direct, median over the rounds:")
    for label, figure in (("handshake", "handshakes_ms"), ("echo", "echoes_ms")):
        for share in (0.5, 0.95):
            edge, direct = median("edge", figure, share), median("direct", figure, share)
            print(
                f"  {label} p{share * 100:.0f}: {edge:.2f} ms / {direct:.2f} ms = "
                f"{edge / direct:.2f}x"
            )
    edge_cpu = statistics.median(r.cpu_ms_per_socket("edge", sockets) for r in by_path["edge"])
    service_cpu = statistics.median(
        r.cpu_ms_per_socket("upstream", sockets) for r in by_path["direct"]
    )
    print(
        f"  CPU per socket (open, echo, close): the edge {edge_cpu:.2f} ms, the service "
        f"{service_cpu:.2f} ms: the edge costs {edge_cpu / service_cpu:.1f}x the service's own"
    )
    # Against the start of the run: after the first round the edge keeps its peak (Python's
    # allocator holds on to freed memory), so a later round's start would hide the cost.
    held = statistics.median(r.moments["held"].edge.rss_mb for r in by_path["edge"])
    print(
        f"  the edge's memory while held: {(held - first.edge.rss_mb) * 1024 / sockets:.0f} KB/socket"
    )


def problems(by_path: dict[str, list[Round]], first: Moment) -> list[str]:
    """What makes the run fail: failed sockets, anything not released, memory that keeps growing."""
    found = []
    for path, rounds in by_path.items():
        for result in rounds:
            where = f"{path} round {result.number}"
            if result.failures:
                shown = "; ".join(result.failures[:FAILURES_SHOWN])
                found.append(f"{where}: {len(result.failures)} sockets failed ({shown})")
            after = result.moments["released"]
            if after.upstream_open != first.upstream_open:
                found.append(f"{where}: the service still holds {after.upstream_open} sockets")
            if after.edge.fds != first.edge.fds:
                found.append(
                    f"{where}: the edge holds {after.edge.fds} file descriptors after release, "
                    f"{first.edge.fds} at the start"
                )
    first_round, *later = by_path["edge"]
    limit = first_round.moments["released"].edge.rss_mb * (1 + RSS_GROWTH_LIMIT)
    for result in later:
        rss = result.moments["released"].edge.rss_mb
        if rss > limit:
            found.append(
                f"edge round {result.number}: the edge's memory after release is {rss:.0f} MB, "
                f"more than {RSS_GROWTH_LIMIT:.0%} past the first round's "
                f"{first_round.moments['released'].edge.rss_mb:.0f} MB"
            )
    return found


async def benchmark(options: argparse.Namespace) -> list[str]:
    with (
        tempfile.TemporaryDirectory(prefix="edge-websockets-") as scratch,
        running_upstream() as (upstream, upstream_port),
        running_edge(upstream_port, Path(scratch)) as (edge, edge_port),
    ):
        async with aiohttp.ClientSession() as control:
            bench = Bench(
                edge.pid, edge_port, upstream.pid, upstream_port, options.in_flight, control
            )
            # Once-only allocations (the upstream session, imports on first use) are no leak.
            for path in PATHS:
                await bench.one_round(path, 0, WARM_UP_SOCKETS)
            first = await bench.moment()
            by_path: dict[str, list[Round]] = {path: [] for path in PATHS}
            ordered: list[Round] = []
            for number in range(1, options.rounds + 1):
                for path in PATHS if number % 2 else PATHS[::-1]:
                    result = await bench.one_round(path, number, options.sockets)
                    by_path[path].append(result)
                    ordered.append(result)
                    print(f"round {number} {path}: done", flush=True)
    print_rounds(ordered, options.sockets)
    print_edge_resources(by_path["edge"], options.sockets)
    print_ratios(by_path, first, options.sockets)
    return problems(by_path, first)


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sockets", type=int, default=1000, help="WebSockets held at once")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per path")
    parser.add_argument("--in-flight", type=int, default=50, help="handshakes at a time")
    options = parser.parse_args()
    if options.sockets < 1 or options.rounds < 1 or options.in_flight < 1:
        parser.error("--sockets, --rounds and --in-flight must be at least 1")
    allow_open_files(options.sockets)
    print(f"load average before: {_load()} on {os.cpu_count()} cores", flush=True)
    found = asyncio.run(benchmark(options))
    print(f"\nload average after: {_load()} (other work on the machine slows every latency)")
    if found:
        print("\n".join(["", "FAILED:", *found]), file=sys.stderr)
        raise SystemExit(1)
    print("\nevery socket worked; the edge released every socket and descriptor each round")


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
