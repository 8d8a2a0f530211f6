"""Protobuf <-> domain for the canvas API."""

from __future__ import annotations

from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from knowledge.canvas.v1 import canvas_pb2, canvas_service_pb2

from ..domain.canvases import Canvas
from ..domain.changes import ContentChanges
from ..domain.content import CanvasContent, Edge, Node


def canvas_message(canvas: Canvas) -> canvas_pb2.Canvas:
    message = canvas_pb2.Canvas(
        name=canvas.name,
        title=canvas.title,
        description=canvas.description,
        revision=canvas.revision,
        etag=canvas.etag,
        creator=canvas.creator,
    )
    message.create_time.CopyFrom(_timestamp(canvas.create_time))
    message.update_time.CopyFrom(_timestamp(canvas.update_time))
    return message


def node_message(node: Node) -> canvas_pb2.Node:
    return canvas_pb2.Node(
        id=node.id,
        kind=node.kind,
        label=node.label,
        x=node.x,
        y=node.y,
        width=node.width,
        height=node.height,
        document=node.document,
        attributes=dict(node.attributes),
    )


def edge_message(edge: Edge) -> canvas_pb2.Edge:
    return canvas_pb2.Edge(
        id=edge.id,
        source_node_id=edge.source_node_id,
        target_node_id=edge.target_node_id,
        label=edge.label,
        attributes=dict(edge.attributes),
    )


def content_message(
    revision: int, content: CanvasContent
) -> canvas_service_pb2.GetCanvasContentResponse:
    return canvas_service_pb2.GetCanvasContentResponse(
        revision=revision,
        nodes=[node_message(node) for node in content.nodes],
        edges=[edge_message(edge) for edge in content.edges],
    )


def changes_message(changes: ContentChanges) -> canvas_service_pb2.CanvasChanges:
    items = [
        canvas_service_pb2.CanvasChange(node_upserted=node_message(n))
        for n in changes.upserted_nodes
    ]
    items += [
        canvas_service_pb2.CanvasChange(edge_upserted=edge_message(e))
        for e in changes.upserted_edges
    ]
    items += [canvas_service_pb2.CanvasChange(edge_removed=i) for i in changes.removed_edges]
    items += [canvas_service_pb2.CanvasChange(node_removed=i) for i in changes.removed_nodes]
    return canvas_service_pb2.CanvasChanges(changes=items)


def _timestamp(moment: datetime) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment)
    return stamp
