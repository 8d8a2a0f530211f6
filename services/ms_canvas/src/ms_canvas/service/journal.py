"""Group commit of document updates: collected for a moment, stored in one transaction, then
acknowledged (revision, gRPC watchers, other instances, events).

Connected peers get an update as soon as it is merged, before it is stored: each of them holds
the whole document, like every Yjs replica, and gives back whatever the service lacks when it
reconnects. Storage is off the path that peers wait on, so its cost never shows in their
latency. Updates that arrive within `batch_seconds` of the first, or while a batch is being
written, share one transaction; a crash loses at most those not yet committed from the
service's copy, and a graceful stop drains them all first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import structlog
from knowledge_kit.aio import first_set

from ..domain.ports import StoredUpdate
from .room import CanvasRoom, Participant

_log = structlog.get_logger("ms_canvas.journal")
RETRY_SECONDS: tuple[float, ...] = (
    0.05,
    0.2,
    1.0,
    2.0,
)  # then every 2 s for as long as the database is away


@dataclass(frozen=True)
class PendingUpdate:
    room: CanvasRoom
    update: bytes
    sender: Participant | None
    author: str


StoreBatch = Callable[[list[StoredUpdate]], Awaitable[dict[str, int]]]
OnStored = Callable[[list[PendingUpdate], dict[str, int]], Awaitable[None]]


class UpdateJournal:
    """`submit` never blocks; a single writer stores the waiting updates in order, then calls
    `on_stored` with them and the canvases' new revisions (their acknowledgement)."""

    def __init__(
        self,
        store: StoreBatch,
        on_stored: OnStored,
        *,
        batch_seconds: float = 0.0,
        max_batch: int = 1000,
    ) -> None:
        self._store = store
        self._on_stored = on_stored
        self._batch_seconds = batch_seconds
        self._max_batch = max_batch
        self._waiting: list[PendingUpdate] = []
        self._arrived = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()

    def submit(self, pending: PendingUpdate) -> None:
        self._waiting.append(pending)
        self._idle.clear()
        self._arrived.set()

    async def drained(self) -> None:
        """Wait until everything submitted so far is stored and acknowledged."""
        await self._idle.wait()

    async def run(self, stop: asyncio.Event) -> None:
        """Write batches until `stop` is set and nothing is waiting."""
        while not (stop.is_set() and not self._waiting):
            if not self._waiting:
                self._idle.set()
                await first_set(self._arrived, stop)
                continue
            if self._batch_seconds and not stop.is_set():
                await asyncio.sleep(self._batch_seconds)
            self._arrived.clear()
            batch = self._waiting[: self._max_batch]
            revisions = await self._store_with_retries(batch)
            del self._waiting[: len(batch)]
            await self._on_stored(batch, revisions)
        self._idle.set()

    async def _store_with_retries(self, batch: list[PendingUpdate]) -> dict[str, int]:
        # Nothing is acknowledged before it is stored: an outage delays acknowledgements and
        # keeps the updates waiting here (peers have them already), never drops them.
        stored = [StoredUpdate(p.room.name, p.update, p.author) for p in batch]
        attempt = 0
        while True:
            try:
                return await self._store(stored)
            except Exception:
                pause = RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]
                attempt += 1
                _log.warning("canvas_updates_store_failed", attempt=attempt, exc_info=True)
                await asyncio.sleep(pause)
