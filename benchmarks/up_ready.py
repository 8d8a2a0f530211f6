"""Warm time-to-ready of `fleet up` and each service's resident memory once SERVING.

    .venv/bin/python benchmarks/up_ready.py [--runs 3] [--only ms_auth,ms_knowledge]

Without --only it runs the whole platform: every service of repos.yaml created so far.

Starts `fleet up` as a user would (in a subprocess, on free ports, with its own state directory),
once to warm every cache (page bundle, broker jars, installed services, migrated databases), then
`--runs` more times, each to "ready" and stopped with SIGTERM. Reports per run the time from
starting the command to its "ready in" line, and per service the median resident memory (RSS)
once SERVING, with its unique share (USS: private pages; the rest is shared libraries).

Side by side, as the baseline: a bare grpc.aio server with only the health service, the floor any
Python gRPC service pays, measured the same way. Goals: ready within 20 s warm, under 100 MB per
service.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fleet.manifest import load_manifest  # noqa: E402
from fleet.up.selection import is_stamped, select_services  # noqa: E402

from tests.edge_harness import platform_up  # noqa: E402

READY_GOAL_SECONDS = 20.0
MEMORY_GOAL_MB = 100.0
BARE_SERVER = """
import asyncio, sys
import grpc
from grpc_health.v1 import health, health_pb2_grpc

async def main():
    server = grpc.aio.server()
    health_pb2_grpc.add_HealthServicer_to_server(health.aio.HealthServicer(), server)
    server.add_insecure_port("127.0.0.1:0")
    await server.start()
    print("SERVING", flush=True)
    await server.wait_for_termination()

asyncio.run(main())
"""


def memory_mb(pid: int) -> tuple[float, float]:
    """(RSS, USS) of `pid` in MB, from /proc/<pid>/smaps_rollup."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value, *_ = line.split()
        fields[name.rstrip(":")] = int(value)
    unique = fields["Private_Clean"] + fields["Private_Dirty"]
    return fields["Rss"] / 1024, unique / 1024


def bare_server_memory() -> tuple[float, float]:
    server = subprocess.Popen(
        [sys.executable, "-c", BARE_SERVER], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "SERVING"
        time.sleep(1.0)  # as long as `fleet up` takes from SERVING to printing its table
        return memory_mb(server.pid)
    finally:
        server.terminate()
        server.wait()


def one_run(state: Path, services: list[str]) -> tuple[float, dict[str, tuple[float, float]]]:
    """Seconds from starting `fleet up` to ready, and each service's memory once SERVING."""
    started = time.monotonic()
    with platform_up(state, services) as running:
        ready = time.monotonic() - started
        memory = {name: memory_mb(running.pid_of(name)) for name in services}
        code, stderr = running.stop()
    if code != 0:
        raise SystemExit(f"fleet up did not stop cleanly ({code}): {stderr}")
    return ready, memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", help="services to run (default: every created one)")
    options = parser.parse_args()
    services = _services(options.only)
    print(f"services: {', '.join(services)}")
    print(f"load average before: {_load()} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory(prefix="up-ready-") as scratch:
        state = Path(scratch)
        warm_up, _ = one_run(state, services)
        print(f"warm-up run (caches, databases): ready in {warm_up:.1f}s")
        readies: list[float] = []
        memories: dict[str, list[tuple[float, float]]] = {name: [] for name in services}
        bare: list[tuple[float, float]] = []
        for run in range(options.runs):
            ready, memory = one_run(state, services)
            bare.append(bare_server_memory())
            readies.append(ready)
            for name, figures in memory.items():
                memories[name].append(figures)
            print(f"run {run + 1}: ready in {ready:.1f}s")
    print(f"load average after: {_load()} (other work on the machine slows every figure)")
    ready = statistics.median(readies)
    verdict = "met" if ready <= READY_GOAL_SECONDS else "missed"
    print(
        f"\nwarm time to ready, median of {len(readies)}: {ready:.1f}s "
        f"(goal {READY_GOAL_SECONDS:.0f}s: {verdict}); runs: "
        + ", ".join(f"{value:.1f}s" for value in readies)
    )
    bare_rss = statistics.median(rss for rss, _ in bare)
    bare_uss = statistics.median(uss for _, uss in bare)
    print(f"\n{'process':<16}{'RSS':>9}{'USS':>9}{'RSS / bare':>12}  goal {MEMORY_GOAL_MB:.0f} MB")
    for name, figures in memories.items():
        rss = statistics.median(value for value, _ in figures)
        uss = statistics.median(value for _, value in figures)
        verdict = "met" if rss < MEMORY_GOAL_MB else "missed"
        print(f"{name:<16}{rss:>6.0f} MB{uss:>6.0f} MB{rss / bare_rss:>11.1f}x  {verdict}")
    print(f"{'bare grpc.aio':<16}{bare_rss:>6.0f} MB{bare_uss:>6.0f} MB{1:>11.1f}x  (baseline)")


def _services(only: str | None) -> list[str]:
    """The services `fleet up` would run: those named, or every created one of repos.yaml."""
    manifest = load_manifest(ROOT)
    return [
        service.name for service in select_services(manifest, only) if is_stamped(ROOT, service)
    ]


def _load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


if __name__ == "__main__":
    main()
