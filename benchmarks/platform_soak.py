"""A soak: ms_knowledge, as it runs in production (`python -m ms_knowledge` on PostgreSQL, relaying
its outbox to Kafka), under a fixed load at 70% of the maximum measured first, for `--minutes`.

    .venv/bin/fleet infra run -- .venv/bin/python benchmarks/platform_soak.py [--minutes 10]
        [--share 0.7] [--every 10]

The client (this process) first drives reads (GetDocument, ListSpaces) and writes
(UpdateDocument, which records an outbox event the relay publishes) with 16 in flight for a few
seconds to find the maximum, then sends the same mix at `--share` of it, each call on its own
schedule. Every `--every` seconds it prints the calls answered and failed, and the server's RSS,
open file descriptors and sockets (from /proc); at the end, the growth of each. The goal: no
error, RSS growth under 10%, no growth in descriptors or sockets.

Only ms_knowledge for now; the other services come next, each with its own mix.

Run once for 2 minutes (`--minutes 2 --every 20`) on 2 cores shared with other work (load
average 9.2 rising to 10.4): maximum 305 calls/s, soaked at 213/s; 0 errors in 25,619 calls;
RSS 121.1 -> 126.4 MiB (+4.4%, 131 MiB at its highest); 21 descriptors and 13 sockets at both
ends (up to 31 and 23 while the pool's extra connections were open). Ten minutes not yet run.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import signal
import socket
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from knowledge.knowledge.v1 import (
    document_pb2,
    document_service_pb2,
    space_pb2,
    space_service_pb2,
)
from knowledge.knowledge.v1.document_service_pb2_grpc import DocumentServiceStub
from knowledge.knowledge.v1.space_service_pb2_grpc import SpaceServiceStub
from proc_stats import process_tree

USER = "users/soak"
Call = Callable[[], Awaitable[Any]]


@dataclass(frozen=True)
class Resources:
    rss_kib: int
    fds: int
    sockets: int


def resources(pid: int) -> Resources:
    """RSS, descriptors and sockets of `pid` and its children."""
    rss = fds = sockets = 0
    for member in process_tree(pid):
        status = Path(f"/proc/{member}/status").read_text()
        rss += int(
            next(line for line in status.splitlines() if line.startswith("VmRSS")).split()[1]
        )
        for fd in Path(f"/proc/{member}/fd").iterdir():
            fds += 1
            try:
                sockets += os.readlink(fd).startswith("socket:")
            except OSError:
                continue
    return Resources(rss, fds, sockets)


@dataclass
class Tally:
    answered: int = 0
    failed: Counter[str] = field(default_factory=Counter)

    async def one(self, call: Call) -> None:
        try:
            await call()
        except grpc.aio.AioRpcError as error:
            self.failed[f"{error.code().name}: {error.details()}"] += 1
            return
        self.answered += 1


class Mix:
    """Three reads for each write, on one space and its documents."""

    def __init__(self, channel: grpc.aio.Channel, token: str) -> None:
        self._metadata = (("authorization", f"Bearer {token}"),)
        self._spaces = SpaceServiceStub(channel)
        self._documents = DocumentServiceStub(channel)
        self._names: list[str] = []
        self._etags: dict[str, str] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self._counter = itertools.count()

    async def seed(self, documents: int) -> None:
        space = await self._spaces.CreateSpace(
            space_service_pb2.CreateSpaceRequest(space=space_pb2.Space(display_name="Soak")),
            metadata=self._metadata,
        )
        for n in range(documents):
            created = await self._documents.CreateDocument(
                document_service_pb2.CreateDocumentRequest(
                    parent=space.space.name,
                    document=document_pb2.Document(title=f"Page {n}", content="# Notes\n" * 50),
                ),
                metadata=self._metadata,
            )
            self._names.append(created.document.name)
            self._etags[created.document.name] = created.document.etag
            self._locks[created.document.name] = asyncio.Lock()

    def calls(self) -> list[Call]:
        return [self._get, self._list, self._get, self._update]

    def _name(self) -> str:
        return self._names[next(self._counter) % len(self._names)]

    async def _get(self) -> None:
        request = document_service_pb2.GetDocumentRequest(name=self._name())
        await self._documents.GetDocument(request, metadata=self._metadata, timeout=10)

    async def _list(self) -> None:
        request = space_service_pb2.ListSpacesRequest(page_size=10)
        await self._spaces.ListSpaces(request, metadata=self._metadata, timeout=10)

    async def _update(self) -> None:
        # One writer per document at a time, with the etag it was last given: no conflicts.
        name = self._name()
        async with self._locks[name]:
            request = document_service_pb2.UpdateDocumentRequest(
                document=document_pb2.Document(
                    name=name, etag=self._etags[name], content=f"# Notes {time.time()}\n"
                ),
            )
            answer = await self._documents.UpdateDocument(
                request, metadata=self._metadata, timeout=10
            )
            self._etags[name] = answer.document.etag


async def measure_maximum(mix: Mix, seconds: float, in_flight: int = 16) -> float:
    """Calls per second the service answers with `in_flight` calls waiting."""
    tally = Tally()
    calls = itertools.cycle(mix.calls())
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        while time.monotonic() < deadline:
            await tally.one(next(calls))

    began = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    if tally.failed:
        raise SystemExit(f"failures while measuring the maximum: {dict(tally.failed)}")
    return tally.answered / (time.monotonic() - began)


async def soak(mix: Mix, pid: int, per_second: float, minutes: float, every: float) -> None:
    tally = Tally()
    loop = asyncio.get_running_loop()
    start = loop.time()
    ends, due, report_due = start + minutes * 60, start, start
    sent: set[asyncio.Task[None]] = set()
    first = resources(pid)
    print(f"{'min':>5} {'answered':>9} {'failed':>6} {'RSS MiB':>8} {'fds':>5} {'sockets':>7}")
    for call in itertools.cycle(mix.calls()):
        now = loop.time()
        if now >= report_due:
            used = resources(pid)
            print(
                f"{(now - start) / 60:>5.1f} {tally.answered:>9} {sum(tally.failed.values()):>6} "
                f"{used.rss_kib / 1024:>8.1f} {used.fds:>5} {used.sockets:>7}"
            )
            report_due += every
        if now >= ends:
            break
        task = asyncio.create_task(tally.one(call))
        sent.add(task)
        task.add_done_callback(sent.discard)
        due += 1 / per_second
        await asyncio.sleep(max(due - loop.time(), 0))
    await asyncio.gather(*sent)
    last = resources(pid)
    print(f"errors: {dict(tally.failed) or 0} of {tally.answered + sum(tally.failed.values())}")
    print(
        f"RSS {first.rss_kib / 1024:.1f} -> {last.rss_kib / 1024:.1f} MiB "
        f"({last.rss_kib / first.rss_kib - 1:+.1%}), fds {first.fds} -> {last.fds}, "
        f"sockets {first.sockets} -> {last.sockets}"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def run(options: argparse.Namespace, postgres: str, kafka: str) -> None:
    from knowledge_kit.testing import JwksEndpoint
    from knowledge_kit.testing.infrastructure import throwaway_database

    endpoint = JwksEndpoint()
    port = free_port()
    async with throwaway_database(postgres, "soak") as database_url:
        environment = {
            **os.environ,
            "MS_KNOWLEDGE_GRPC_HOST": "127.0.0.1",
            "MS_KNOWLEDGE_GRPC_PORT": str(port),
            "MS_KNOWLEDGE_DATABASE_URL": database_url,
            "MS_KNOWLEDGE_KAFKA_BOOTSTRAP": kafka,
            "MS_KNOWLEDGE_AUTH_JWKS_URL": endpoint.url,
            "MS_KNOWLEDGE_AUTH_ISSUER": endpoint.issuer,
            "MS_KNOWLEDGE_AUTH_AUDIENCE": endpoint.audience,
        }
        server = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "ms_knowledge",
            env=environment,
            stdout=asyncio.subprocess.DEVNULL,
        )
        try:
            async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
                await channel.channel_ready()
                mix = Mix(channel, endpoint.mint(USER, ttl_seconds=int(options.minutes * 60) + 600))
                await mix.seed(20)
                maximum = await measure_maximum(mix, seconds=5)
                rate = maximum * options.share
                print(
                    f"maximum {maximum:.0f} calls/s (16 in flight); soaking at {rate:.0f}/s "
                    f"({options.share:.0%}) for {options.minutes:g} min; "
                    f"load average {_load_average()}"
                )
                await soak(mix, server.pid, rate, options.minutes, options.every)
                print(f"load average at end: {_load_average()}")
        finally:
            server.send_signal(signal.SIGTERM)
            await server.wait()
            endpoint.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0, help="length of the soak")
    parser.add_argument("--share", type=float, default=0.7, help="share of the maximum to send")
    parser.add_argument("--every", type=float, default=10.0, help="seconds between reports")
    options = parser.parse_args()
    from knowledge_kit.testing.infrastructure import KAFKA_BOOTSTRAP_ENV, POSTGRES_URL_ENV

    postgres, kafka = os.environ.get(POSTGRES_URL_ENV), os.environ.get(KAFKA_BOOTSTRAP_ENV)
    if not postgres or not kafka:
        sys.exit(f"run under `fleet infra run --`: {POSTGRES_URL_ENV} and {KAFKA_BOOTSTRAP_ENV}")
    asyncio.run(run(options, postgres, kafka))


def _load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


if __name__ == "__main__":
    main()
