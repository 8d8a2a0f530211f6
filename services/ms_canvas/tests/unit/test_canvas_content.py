"""The nodes and edges a canvas shows, read from what browsers put in its Yjs document."""

from __future__ import annotations

from typing import Any

import pycrdt

from ms_canvas.domain.changes import changes_between
from ms_canvas.domain.content import CanvasContent, Edge, Node, content_of


def test_nodes_and_edges_are_read_with_their_presentation_attributes() -> None:
    content = content_of(
        {
            "nodes": {
                "b": {"label": "Second", "x": 5, "y": 6, "z": 2, "color": "#00f", "selected": True},
                "a": {"kind": "document", "document": "spaces/s/documents/d", "width": 100},
                "junk": 42,
            },
            "edges": {
                "e": {"source": "a", "target": "b", "label": "next"},
                "loose": {"source": "a"},
            },
        }
    )
    assert content == CanvasContent(
        nodes=(
            Node("a", kind="document", document="spaces/s/documents/d", width=100.0),
            Node("b", label="Second", x=5.0, y=6.0, attributes={"color": "#00f", "z": "2"}),
        ),
        edges=(Edge("e", "a", "b", "next"),),
    )


def test_a_pycrdt_document_materializes_like_plain_data() -> None:
    doc: pycrdt.Doc[Any] = pycrdt.Doc()
    nodes = doc.get("nodes", type=pycrdt.Map)
    nodes["n1"] = pycrdt.Map({"label": "From Yjs", "x": 1.5})
    assert content_of({"nodes": nodes.to_py()}).nodes == (Node("n1", label="From Yjs", x=1.5),)


def test_changes_name_whole_upserted_nodes_and_removed_ids() -> None:
    before = CanvasContent(nodes=(Node("a"), Node("b")), edges=(Edge("e", "a", "b"),))
    after = CanvasContent(nodes=(Node("a", x=3.0), Node("c")), edges=())
    changes = changes_between(before, after)
    assert changes.upserted_nodes == (Node("a", x=3.0), Node("c"))
    assert changes.removed_nodes == ("b",)
    assert changes.removed_edges == ("e",)
    assert changes_between(after, after).empty
