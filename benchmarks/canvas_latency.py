"""Delivery latency of ms_canvas against the npm y-websocket server (@y/websocket-server 0.1.1),
side by side on the same two workloads, driven by the same unmodified yjs + y-websocket clients:

- updates: 1 writer at 200 updates/s, 100 subscribers (writer to each subscriber); the writer
  has a client process of its own, the subscribers share four;
- cursors: 50 clients moving their cursors at 20 Hz (each move to each of the 49 others).

    .venv/bin/fleet infra run -- .venv/bin/python benchmarks/canvas_latency.py [--seconds 10]

ms_canvas runs as in production: PostgreSQL (updates stored in batches as they arrive),
Kafka fan-out to other instances (alone on a canvas, it only announces that it holds it),
access checked at connect over gRPC (ListSpaceMembers, from the SpaceService the service's
own tests serve in ms_knowledge's place). The Node server
keeps everything in memory. Each workload runs both servers, in alternating order, for
`--rounds` rounds of `--seconds` of load (the first second of each is warm-up, not measured),
after `--warmup-rounds` unmeasured ones (a cold Node server's tail is a third longer than a
warm one's); prints p50 and p99 per server and the ms_canvas / Node ratios (below 1: ms_canvas
is faster), taken round by round. With `--apart` the server under test runs on half the CPUs
and everything else (clients, PostgreSQL, Kafka, the SpaceService) on the other half: on a small
machine, clients and server side by side also measure the scheduler handing the server's core
to each client it wakes. (The cursors workload's clients need the whole machine, so apart is
for the updates workload.)
On a machine shared with other work the latencies swing with the neighbours' load (the clients
run here too), so it also prints each server's CPU time per delivered message, which that load
barely moves.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parent.parent
LOAD = Path(__file__).resolve().parent / "canvas_latency"
# ms_canvas's own test support (its `tests` package) starts the service as in its tests.
sys.path.insert(0, str(REPO_ROOT / "services" / "ms_canvas"))

from fleet.edge.node_packages import link_node_modules  # noqa: E402
from fleet.infra.net import free_port  # noqa: E402
from knowledge_kit.testing.infrastructure import KAFKA_BOOTSTRAP_ENV, POSTGRES_URL_ENV  # noqa: E402
from knowledge_kit.testing.jwks_endpoint import JwksEndpoint  # noqa: E402
from proc_stats import cpu_seconds, listening_pid, process_tree  # noqa: E402
from tests.support.platform import EDITOR, canvas_platform, create_canvas  # noqa: E402

WORKLOADS = ("updates", "cursors")
SUBSCRIBERS = 100
SUBSCRIBER_PROCESSES = 4
CURSOR_CLIENTS = 50
CURSOR_PROCESSES = 5
CONNECT_SECONDS = 4


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def pin(pid: int, cpus: frozenset[int]) -> None:
    """Every thread of process `pid` onto `cpus` (threads and children it starts later follow)."""
    for thread in Path(f"/proc/{pid}/task").iterdir():
        try:
            os.sched_setaffinity(int(thread.name), cpus)
        except (ProcessLookupError, FileNotFoundError):
            continue  # the thread ended meanwhile


@dataclass(frozen=True)
class CpuLayout:
    """Which CPUs the server under test (either server) runs on, and which everything else:
    the clients, PostgreSQL, Kafka, the SpaceService and this harness.

    Clients and server on the same few cores measure the scheduler's ping-pong between them as
    much as the server: every frame sent wakes a client, which takes the sender's core. Apart,
    the server under test has its CPUs to itself, as with a CPU request in a cluster, and the
    latency is the server's; both servers get the same cores.
    """

    others: frozenset[int] = frozenset()
    servers: frozenset[int] = frozenset()

    @classmethod
    def split(cls) -> CpuLayout:
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) < 2:
            return cls()
        half = len(cpus) // 2
        return cls(frozenset(cpus[:half]), frozenset(cpus[half:]))

    def pin_others(self, postgres_url: str) -> None:
        """This harness and whatever `fleet infra run` started (Kafka, and PostgreSQL, which
        detaches) onto the other CPUs; processes started from here from now on inherit that."""
        if not self.others:
            return
        harness = process_tree(os.getppid())
        postmaster = listening_pid(urlsplit(postgres_url).port or 5432)
        for pid in harness + (process_tree(postmaster) if postmaster else []):
            pin(pid, self.others)

    def pin_server(self, pid: int) -> None:
        if self.servers:
            pin(pid, self.servers)

    def describe(self) -> str:
        if not self.others:
            return "clients, servers, PostgreSQL and Kafka share every CPU"
        return (
            f"the server under test on CPUs {sorted(self.servers)}; clients, PostgreSQL, "
            f"Kafka and the SpaceService on {sorted(self.others)}"
        )


LAYOUT = CpuLayout()


async def load_process(*arguments: str) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        "node", str(LOAD / "load.mjs"), *arguments, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await process.communicate()
    result: dict[str, Any] = json.loads(output)
    return result


async def run_load(
    workload: str, url: str, room: str, token: str, seconds: int, server_pid: int
) -> dict[str, float]:
    cpu_before = cpu_seconds(server_pid)
    start = str(time.time() * 1000 + CONNECT_SECONDS * 1000)
    if workload == "updates":
        # The writer on its own, and the subscribers split: one process reading all 100 would
        # hold up the writer's next update while it reads the last one.
        share = SUBSCRIBERS // SUBSCRIBER_PROCESSES
        processes = [(0, "1")] + [(share, "0")] * SUBSCRIBER_PROCESSES
    else:
        share = CURSOR_CLIENTS // CURSOR_PROCESSES
        processes = [(share, str(first)) for first in range(0, CURSOR_CLIENTS, share)]
    results = await asyncio.gather(
        *(
            load_process(workload, url, room, token, str(seconds), str(count), role, start)
            for count, role in processes
        )
    )
    samples = [sample for result in results for sample in result["latencies_ms"]]
    cpu = cpu_seconds(server_pid) - cpu_before
    return {
        "cpu_us_per_delivery": cpu * 1e6 / max(len(samples), 1),
        "p50": percentile(samples, 0.50),
        "p99": percentile(samples, 0.99),
        "samples": len(samples),
        "disconnects": sum(result["disconnects"] for result in results),
    }


async def node_server() -> tuple[asyncio.subprocess.Process, str]:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        "node",
        str(LOAD / "node_modules" / "@y" / "websocket-server" / "src" / "server.js"),
        env={**os.environ, "HOST": "127.0.0.1", "PORT": str(port)},
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    await process.stdout.readline()  # "running at ..."
    LAYOUT.pin_server(process.pid)
    return process, f"ws://127.0.0.1:{port}"


def report(workload: str, rounds: list[dict[str, dict[str, float]]]) -> None:
    """Medians over the rounds, and the ratio of each round's pair: the two servers of a round
    ran back to back, so a ratio within a round sees the same neighbours' load."""
    print(f"\n{workload}: {len(rounds)} round(s), medians")
    for server in ("node", "ms_canvas"):
        p50 = statistics.median(r[server]["p50"] for r in rounds)
        p99 = statistics.median(r[server]["p99"] for r in rounds)
        samples = sum(int(r[server]["samples"]) for r in rounds)
        drops = sum(int(r[server]["disconnects"]) for r in rounds)
        cpu = statistics.median(r[server]["cpu_us_per_delivery"] for r in rounds)
        print(
            f"  {server:<10} p50 {p50:8.2f} ms   p99 {p99:8.2f} ms   "
            f"server CPU {cpu:6.2f} us/delivery   ({samples} deliveries, {drops} disconnects)"
        )

    def ratio(key: str) -> float:
        return statistics.median(r["ms_canvas"][key] / r["node"][key] for r in rounds)

    per_round = "  ".join(
        f"{r['ms_canvas']['p99']:.2f}/{r['node']['p99']:.2f}="
        f"x{r['ms_canvas']['p99'] / r['node']['p99']:.2f}"
        for r in rounds
    )
    print(
        f"  ms_canvas / node (median of the rounds' ratios): p50 x{ratio('p50'):.2f}, "
        f"p99 x{ratio('p99'):.2f}, CPU per delivery x{ratio('cpu_us_per_delivery'):.2f}"
    )
    print(f"  p99 per round, ms_canvas/node ms: {per_round}")


async def main(seconds: int, warmup: int, rounds: int, only: str | None) -> None:
    link_node_modules(LOAD)
    postgres, kafka = os.environ.get(POSTGRES_URL_ENV), os.environ.get(KAFKA_BOOTSTRAP_ENV)
    if not postgres or not kafka:
        sys.exit(f"run under `fleet infra run --`: {POSTGRES_URL_ENV} and {KAFKA_BOOTSTRAP_ENV}")
    LAYOUT.pin_others(postgres)
    jwks = JwksEndpoint()
    node, node_url = await node_server()
    try:
        async with canvas_platform(postgres, kafka, jwks, log_level="ERROR") as platform:
            service = await platform.start_canvas_service()
            space = platform.canvas.rpartition("/canvases/")[0]
            token = platform.mint(EDITOR, ttl_seconds=3600)
            assert service.process is not None
            service_pid = service.process.pid
            LAYOUT.pin_server(service_pid)
            print(LAYOUT.describe())
            for workload in [only] if only else WORKLOADS:
                results = []
                for index in range(warmup + rounds):
                    # A fresh canvas (and Node room) each round, so no round inherits the
                    # document, update log and snapshot the rounds before it built up.
                    room = f"bench-{workload}-{index}"
                    platform.canvas = f"{space}/canvases/{room}"
                    await create_canvas(platform, service)
                    servers = {
                        "node": (node_url, room, "-", node.pid),
                        "ms_canvas": (service.websocket_url, platform.canvas, token, service_pid),
                    }
                    # Who goes first alternates, so neither server always meets the machine
                    # in the same state.
                    order = list(servers) if index % 2 == 0 else list(reversed(servers))
                    result = {}
                    for server in order:
                        url, name, credential, pid = servers[server]
                        result[server] = await run_load(
                            workload, url, name, credential, seconds, pid
                        )
                    if index >= warmup:
                        results.append(result)
                report(workload, results)
    finally:
        node.terminate()
        await node.wait()
        jwks.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=WORKLOADS)
    parser.add_argument(
        "--apart",
        action="store_true",
        help="the server under test on half the CPUs, everything else on the other half",
    )
    parser.add_argument("--warmup-rounds", type=int, default=1)
    arguments = parser.parse_args()
    if arguments.apart:
        LAYOUT = CpuLayout.split()
    asyncio.run(main(arguments.seconds, arguments.warmup_rounds, arguments.rounds, arguments.only))
