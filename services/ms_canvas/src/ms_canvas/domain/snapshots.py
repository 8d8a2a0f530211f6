"""Folding a canvas's stored Yjs updates into one snapshot.

Merging the updates (`pycrdt.merge_updates`) keeps every item ever written, deleted ones
included, and its cost grows with the square of their number: a canvas whose nodes move all
day would carry every past position in its snapshot, and each compaction would stall the
event loop longer. Applying them to a document instead lets Yjs collect what was deleted, so
the snapshot is the size of what the canvas holds, and the work grows linearly; it is done in
slices, so that the connections sharing the event loop wait at most one slice.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pycrdt

SLICE = 200  # updates applied between two turns of the event loop


async def folded(parts: Sequence[bytes]) -> bytes:
    """One update holding everything in `parts` (a snapshot and the updates after it).

    An update whose items build on items in none of the parts stays pending in a document,
    and a document's state leaves pending items out; such updates are merged in as they are,
    so that nothing stored is dropped.
    """
    doc: pycrdt.Doc[Any] = pycrdt.Doc()
    for start in range(0, len(parts), SLICE):
        for part in parts[start : start + SLICE]:
            doc.apply_update(part)
        await asyncio.sleep(0)
    state = doc.get_state()
    # An update v1 starts with the number of clients it has items of: 0 when the document
    # holds all of this part's items (its deletions were applied with them).
    pending = [part for part in parts if pycrdt.get_update(part, state)[0] != 0]
    snapshot = doc.get_update()
    return pycrdt.merge_updates(snapshot, *pending) if pending else snapshot
