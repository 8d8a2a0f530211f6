"""A canvas's shared Yjs document, as the service holds it: merged from every client and
instance, read as nodes and edges."""

from __future__ import annotations

import pycrdt

from .content import EDGES, NODES, CanvasContent, content_of

EMPTY_UPDATE = b"\x00\x00"  # what a peer with nothing to add sends as its sync step 2


class CanvasDocument:
    """The CRDT state of one canvas; every method is pure computation, no I/O."""

    def __init__(self) -> None:
        self._doc: pycrdt.Doc[pycrdt.Map[object]] = pycrdt.Doc()

    def apply(self, update: bytes) -> bool:
        """Merge a Yjs update (ValueError if it is not one); False if it is empty."""
        if update == EMPTY_UPDATE:
            return False
        self._doc.apply_update(update)
        return True

    def state_vector(self) -> bytes:
        """What this copy holds, as a Yjs state vector."""
        return self._doc.get_state()

    def missing_from(self, state_vector: bytes) -> bytes:
        """The update a peer with `state_vector` lacks (ValueError if it is not a vector)."""
        return self._doc.get_update(state_vector)

    def content(self) -> CanvasContent:
        """The nodes and edges the document holds now."""
        return content_of(
            {
                NODES: self._doc.get(NODES, type=pycrdt.Map).to_py(),
                EDGES: self._doc.get(EDGES, type=pycrdt.Map).to_py(),
            }
        )
