"""What a canvas shows, read from its shared Yjs document.

The document's schema (what browser clients write):

    nodes: Y.Map  node id -> Y.Map (or plain object) with kind, label, x, y, width, height,
                  z (z-order), color, document (spaces/{space}/documents/{document}); any other
                  string value is kept as a presentation attribute
    edges: Y.Map  edge id -> Y.Map (or plain object) with source, target, label, color
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

NODES = "nodes"
EDGES = "edges"
NODE_FIELDS = frozenset({"kind", "label", "x", "y", "width", "height", "document"})
EDGE_FIELDS = frozenset({"source", "target", "label"})


@dataclass(frozen=True)
class Node:
    id: str
    kind: str = "note"
    label: str = ""
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0
    document: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)  # z, color, ...


@dataclass(frozen=True)
class Edge:
    id: str
    source_node_id: str
    target_node_id: str
    label: str = ""
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CanvasContent:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def content_of(document: Mapping[str, Any]) -> CanvasContent:
    """Nodes and edges of a document given as plain data (`{"nodes": {...}, "edges": {...}}`);
    entries that are not objects are ignored, as a browser would not draw them either."""
    nodes = _objects(document.get(NODES))
    edges = _objects(document.get(EDGES))
    return CanvasContent(
        nodes=tuple(_node(node_id, value) for node_id, value in sorted(nodes.items())),
        edges=tuple(
            edge
            for edge_id, value in sorted(edges.items())
            if (edge := _edge(edge_id, value)) is not None
        ),
    )


def _objects(value: Any) -> dict[str, Mapping[str, Any]]:
    if not isinstance(value, Mapping):
        return {}
    return {str(key): item for key, item in value.items() if isinstance(item, Mapping)}


def _node(node_id: str, value: Mapping[str, Any]) -> Node:
    return Node(
        id=node_id,
        kind=_text(value.get("kind")) or "note",
        label=_text(value.get("label")),
        x=_number(value.get("x")),
        y=_number(value.get("y")),
        width=_number(value.get("width")),
        height=_number(value.get("height")),
        document=_text(value.get("document")),
        attributes=_attributes(value, NODE_FIELDS),
    )


def _edge(edge_id: str, value: Mapping[str, Any]) -> Edge | None:
    source, target = _text(value.get("source")), _text(value.get("target"))
    if not source or not target:
        return None
    return Edge(edge_id, source, target, _text(value.get("label")), _attributes(value, EDGE_FIELDS))


def _attributes(value: Mapping[str, Any], fields: frozenset[str]) -> dict[str, str]:
    return {
        str(key): _text(item)
        for key, item in sorted(value.items())
        if key not in fields and isinstance(item, str | int | float) and not isinstance(item, bool)
    }


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format(value, "g")
    return ""


def _number(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return 0.0
