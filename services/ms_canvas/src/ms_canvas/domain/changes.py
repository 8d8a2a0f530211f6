"""Node and edge changes between two materializations of a canvas (for live read-only views)."""

from __future__ import annotations

from dataclasses import dataclass

from .content import CanvasContent, Edge, Node


@dataclass(frozen=True)
class ContentChanges:
    upserted_nodes: tuple[Node, ...] = ()
    removed_nodes: tuple[str, ...] = ()
    upserted_edges: tuple[Edge, ...] = ()
    removed_edges: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.upserted_nodes or self.removed_nodes or self.upserted_edges or self.removed_edges
        )


def changes_between(before: CanvasContent, after: CanvasContent) -> ContentChanges:
    """What changed from `before` to `after`: whole nodes and edges added or changed, ids removed."""
    old_nodes = {node.id: node for node in before.nodes}
    new_nodes = {node.id: node for node in after.nodes}
    old_edges = {edge.id: edge for edge in before.edges}
    new_edges = {edge.id: edge for edge in after.edges}
    return ContentChanges(
        upserted_nodes=tuple(n for i, n in new_nodes.items() if old_nodes.get(i) != n),
        removed_nodes=tuple(sorted(set(old_nodes) - set(new_nodes))),
        upserted_edges=tuple(e for i, e in new_edges.items() if old_edges.get(i) != e),
        removed_edges=tuple(sorted(set(old_edges) - set(new_edges))),
    )
