"""A stored batch leaves for other instances as few records as the broker and the event loop
allow: one per run of one author's updates on one canvas, capped in bytes and in count."""

from __future__ import annotations

from typing import Any

import pycrdt

from ms_canvas.server.yjs.wire import YWebsocketWire
from ms_canvas.service import instances
from ms_canvas.service.instances import relay_records
from ms_canvas.service.journal import PendingUpdate
from ms_canvas.service.room import CanvasRoom

BOARD, OTHER = (
    CanvasRoom("spaces/s/canvases/board", YWebsocketWire()),
    CanvasRoom("spaces/s/canvases/other", YWebsocketWire()),
)


def edits(count: int, *, size: int = 8) -> tuple[pycrdt.Doc[Any], list[bytes]]:
    doc: pycrdt.Doc[Any] = pycrdt.Doc()
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    nodes = doc.get("nodes", type=pycrdt.Map)
    for index in range(count):
        nodes[f"n{index}"] = "x" * size
    return doc, updates


def pending(room: CanvasRoom, update: bytes, author: str) -> PendingUpdate:
    return PendingUpdate(room, update, None, author)


def test_a_run_of_one_author_on_one_canvas_is_one_record_holding_all_of_it() -> None:
    doc, updates = edits(5)
    batch = [pending(BOARD, u, "users/alice") for u in updates[:3]]
    batch += [pending(OTHER, updates[3], "users/alice"), pending(BOARD, updates[4], "users/bob")]

    records = relay_records(batch)

    assert [(r.canvas, r.author, len(r.updates)) for r in records] == [
        (BOARD.name, "users/alice", 3),
        (OTHER.name, "users/alice", 1),
        (BOARD.name, "users/bob", 1),
    ]
    replica: pycrdt.Doc[Any] = pycrdt.Doc()
    for record in records:
        replica.apply_update(record.update)
    assert (
        replica.get("nodes", type=pycrdt.Map).to_py() == doc.get("nodes", type=pycrdt.Map).to_py()
    )


def test_records_are_capped_in_count_and_in_bytes(monkeypatch: Any) -> None:
    _, updates = edits(250)
    counts = [len(r.updates) for r in relay_records([pending(BOARD, u, "a") for u in updates])]
    assert counts == [instances.RELAY_RECORD_UPDATES, instances.RELAY_RECORD_UPDATES, 50]

    _, large = edits(6, size=1000)
    monkeypatch.setattr(instances, "RELAY_RECORD_BYTES", 2500)
    counts = [len(r.updates) for r in relay_records([pending(BOARD, u, "a") for u in large])]
    assert counts == [2, 2, 2]
