"""Updates are acknowledged in the order they arrived, only after they are stored, in batches of
what arrived meanwhile; a failing database delays them and loses none."""

from __future__ import annotations

import asyncio

import pytest

from ms_canvas.domain.ports import StoredUpdate
from ms_canvas.server.yjs.wire import YWebsocketWire
from ms_canvas.service import journal
from ms_canvas.service.journal import PendingUpdate, UpdateJournal
from ms_canvas.service.room import CanvasRoom


class FlakyStore:
    """Fails the first `failures` calls, then stores; remembers every stored batch."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.batches: list[list[bytes]] = []

    async def __call__(self, updates: list[StoredUpdate]) -> dict[str, int]:
        await asyncio.sleep(0)
        if self.failures:
            self.failures -= 1
            raise ConnectionError("database away")
        self.batches.append([u.update for u in updates])
        return {updates[0].canvas: sum(len(b) for b in self.batches)}


async def test_updates_are_passed_on_in_order_once_stored_despite_failures(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(journal, "RETRY_SECONDS", (0.0,))
    store = FlakyStore(failures=2)
    passed_on: list[bytes] = []

    async def on_stored(batch: list[PendingUpdate], revisions: dict[str, int]) -> None:
        stored = {update for stored_batch in store.batches for update in stored_batch}
        assert all(p.update in stored for p in batch)
        passed_on.extend(p.update for p in batch)

    updates = UpdateJournal(store, on_stored)
    room = CanvasRoom("spaces/s/canvases/c", YWebsocketWire())
    stop = asyncio.Event()
    writer = asyncio.create_task(updates.run(stop))
    for index in range(5):
        updates.submit(PendingUpdate(room, bytes([index]), None, "users/alice"))
    await asyncio.sleep(0)
    updates.submit(PendingUpdate(room, b"\x09", None, "users/alice"))
    await updates.drained()
    stop.set()
    await writer

    assert passed_on == [bytes([i]) for i in range(5)] + [b"\x09"]
    assert len(store.batches) >= 1 and sum(len(b) for b in store.batches) == 6


async def test_updates_arriving_within_the_batch_window_share_one_transaction() -> None:
    store = FlakyStore(failures=0)
    acknowledged: list[bytes] = []

    async def on_stored(batch: list[PendingUpdate], revisions: dict[str, int]) -> None:
        acknowledged.extend(p.update for p in batch)

    updates = UpdateJournal(store, on_stored, batch_seconds=0.2)
    room = CanvasRoom("spaces/s/canvases/c", YWebsocketWire())
    stop = asyncio.Event()
    writer = asyncio.create_task(updates.run(stop))
    updates.submit(PendingUpdate(room, b"\x01", None, "users/alice"))
    await asyncio.sleep(0)  # the writer wakes and opens the window
    for index in range(2, 6):
        updates.submit(PendingUpdate(room, bytes([index]), None, "users/alice"))
        await asyncio.sleep(0)
    await updates.drained()
    stop.set()
    await writer

    assert store.batches == [[bytes([i]) for i in range(1, 6)]]
    assert acknowledged == [bytes([i]) for i in range(1, 6)]
