"""What the per-RPC overhead benchmarks share (kit_rpc_overhead, document_read_overhead): a
server in a child process that reports its port, and a client in another child process that
keeps N unary calls in flight for a while, measuring QPS, latency and the server's CPU per RPC
(from /proc, the server process only)."""

from __future__ import annotations

import asyncio
import multiprocessing
import statistics
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from proc_stats import cpu_seconds


@dataclass
class Sample:
    qps: float
    p50_ms: float
    p95_ms: float
    server_cpu_us_per_rpc: float


FIELDS = ("qps", "p50_ms", "p95_ms", "server_cpu_us_per_rpc")


async def closed_loop(
    call: Callable[[], Awaitable[Any]], server_pid: int, in_flight: int, seconds: float
) -> Sample:
    """`in_flight` workers each making `call()` after `call()` for `seconds`; the figures."""
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        while (started := time.perf_counter()) < deadline:
            await call()
            latencies.append(time.perf_counter() - started)

    cpu_before, began = cpu_seconds(server_pid), time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    elapsed, cpu_after = time.perf_counter() - began, cpu_seconds(server_pid)
    percentiles = statistics.quantiles(latencies, n=100)
    return Sample(
        qps=len(latencies) / elapsed,
        p50_ms=percentiles[49] * 1000,
        p95_ms=percentiles[94] * 1000,
        server_cpu_us_per_rpc=(cpu_after - cpu_before) / len(latencies) * 1e6,
    )


def start_server(
    serve: Callable[..., None], kind: str, *args: Any
) -> tuple[multiprocessing.Process, int]:
    """Runs `serve(kind, ready, *args)` in a daemon child process; returns it and the port it
    sends through `ready`."""
    receive, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.Process(target=serve, args=(kind, send, *args), daemon=True)
    process.start()
    return process, int(receive.recv())


def measure(
    drive: Callable[..., Coroutine[Any, Any, Sample]], server: multiprocessing.Process, *args: Any
) -> Sample:
    """`drive(server_pid, *args)` run in a client process of its own, so that the client's
    work never shares this process's interpreter; its Sample."""
    receive, send = multiprocessing.Pipe(duplex=False)
    client = multiprocessing.Process(target=_client, args=(send, drive, server.pid, *args))
    client.start()
    sample: Sample = receive.recv()
    client.join()
    return sample


def median(samples: list[Sample], field: str) -> float:
    return float(statistics.median(getattr(sample, field) for sample in samples))


def _client(
    result: Connection, drive: Callable[..., Coroutine[Any, Any, Sample]], *args: Any
) -> None:
    result.send(asyncio.run(drive(*args)))
