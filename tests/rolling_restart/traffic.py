"""What clients do to the instances while they are replaced: unary reads at a fixed rate, and
watches that are resumed whenever they end."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import grpc


def failure_name(error: BaseException) -> str:
    """The status of a failed call, as the client saw it."""
    cause = error.__cause__ if isinstance(error.__cause__, grpc.aio.AioRpcError) else error
    if isinstance(cause, grpc.aio.AioRpcError):
        return f"{cause.code().name}: {cause.details()}"
    return f"{type(error).__name__}: {error}"


@dataclass
class UnaryLoad:
    """Reads sent at `per_second`, each without waiting for the ones before (as independent
    users send them), alternating between the calls in `reads`."""

    reads: list[Callable[[], Any]]
    per_second: float
    succeeded: int = 0
    failed: Counter[str] = field(default_factory=Counter)

    async def run(self, stop: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        interval = 1 / self.per_second
        due = loop.time()
        sent: set[asyncio.Task[None]] = set()
        for read in itertools.cycle(self.reads):
            if stop.is_set():
                break
            task = asyncio.create_task(self._one(read))
            sent.add(task)
            task.add_done_callback(sent.discard)
            due += interval
            await asyncio.sleep(max(due - loop.time(), 0))
        await asyncio.gather(*sent)

    async def _one(self, read: Callable[[], Any]) -> None:
        call = read()
        try:
            await call
        except Exception as error:  # every failure is counted, by its status
            self.failed[failure_name(error)] += 1
            return
        self.succeeded += 1

    @property
    def sent(self) -> int:
        return self.succeeded + sum(self.failed.values())


@dataclass
class Watcher:
    """One open server stream, opened again each time it ends, as a client resuming it does.
    `ended` counts how the streams ended (by status), `refused` the openings that failed."""

    name: str
    open_stream: Callable[[], Any]
    live: asyncio.Event = field(default_factory=asyncio.Event)
    opened: int = 0
    ended: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)

    async def run(self) -> None:
        """Until cancelled: open, wait for the server's headers (the watch is live), read."""
        while True:
            call = self.open_stream()
            try:
                await call.initial_metadata()
                if call.done():  # refused: the status came with the headers
                    self.refused[(await call.code()).name] += 1
                    await asyncio.sleep(0.1)
                    continue
                self.opened += 1
                self.live.set()
                async for _ in call:
                    pass
                self.ended[(await call.code()).name] += 1
            except grpc.aio.AioRpcError as error:
                was_live = self.live.is_set()
                (self.ended if was_live else self.refused)[error.code().name] += 1
                if not was_live:
                    await asyncio.sleep(0.1)
            finally:
                self.live.clear()
                call.cancel()
