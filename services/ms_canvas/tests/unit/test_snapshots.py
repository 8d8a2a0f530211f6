"""A compacted snapshot holds what the canvas holds, not its whole history, and drops nothing
that was stored."""

from __future__ import annotations

from typing import Any

import pycrdt

from ms_canvas.domain.snapshots import folded


def recorded(doc: pycrdt.Doc[Any]) -> list[bytes]:
    updates: list[bytes] = []
    doc.observe(lambda event: updates.append(event.update))
    return updates


def loaded(*updates: bytes) -> dict[str, Any]:
    doc: pycrdt.Doc[Any] = pycrdt.Doc()
    for update in updates:
        doc.apply_update(update)
    return doc.get("nodes", type=pycrdt.Map).to_py() or {}


async def test_a_node_moved_many_times_is_stored_once() -> None:
    doc: pycrdt.Doc[Any] = pycrdt.Doc()
    updates = recorded(doc)
    nodes = doc.get("nodes", type=pycrdt.Map)
    nodes["n1"] = pycrdt.Map({"x": 0.0, "label": "idea"})
    for step in range(2000):
        nodes["n1"]["x"] = float(step)
    nodes["gone"] = pycrdt.Map({"x": 1.0})
    del nodes["gone"]

    snapshot = await folded(updates)

    assert loaded(snapshot) == {"n1": {"x": 1999.0, "label": "idea"}}
    # Merging keeps all 2000 positions; the fold keeps the last one.
    assert len(snapshot) * 20 < len(pycrdt.merge_updates(*updates))


async def test_a_fold_of_a_fold_and_later_updates_is_the_whole_canvas() -> None:
    doc: pycrdt.Doc[Any] = pycrdt.Doc()
    updates = recorded(doc)
    nodes = doc.get("nodes", type=pycrdt.Map)
    for index in range(450):
        nodes[f"n{index % 30}"] = pycrdt.Map({"x": float(index)})

    snapshot = await folded(updates[:300])
    again = await folded([snapshot, *updates[300:]])

    assert loaded(again) == doc.get("nodes", type=pycrdt.Map).to_py()


async def test_an_update_whose_items_build_on_missing_ones_is_kept() -> None:
    doc: pycrdt.Doc[Any] = pycrdt.Doc()
    updates = recorded(doc)
    nodes = doc.get("nodes", type=pycrdt.Map)
    nodes["n1"] = pycrdt.Map({"x": 1.0})
    nodes["n1"]["x"] = 2.0  # builds on n1
    first, second = updates

    snapshot = await folded([second])

    assert loaded(first, snapshot) == {"n1": {"x": 2.0}}, "the pending update was dropped"
