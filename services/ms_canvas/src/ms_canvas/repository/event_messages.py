"""Domain events as the registry's event messages: which topic, which payload, which subject."""

from __future__ import annotations

from dataclasses import dataclass

from google.protobuf.message import Message
from knowledge.canvas.v1 import events_pb2
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.topics import CANVAS_CANVASES_V1, Topic

from ..domain.events import CanvasChanged, CanvasCreated, CanvasDeleted, CanvasEvent


@dataclass(frozen=True, slots=True)
class EventMessage:
    """An event ready for the outbox: its topic, payload and subject (the Kafka key)."""

    topic: Topic
    payload: Message
    subject: str


def event_message(event: CanvasEvent) -> EventMessage:
    """`event` on canvas.canvases.v1, keyed by its canvas."""
    payload: Message
    match event:
        case CanvasCreated():
            payload = events_pb2.CanvasCreated(
                canvas=event.canvas,
                space=event.space,
                title=event.title,
                creator=Actor(name=event.creator),
            )
        case CanvasDeleted():
            payload = events_pb2.CanvasDeleted(
                canvas=event.canvas, space=event.space, deleted_by=Actor(name=event.deleted_by)
            )
        case CanvasChanged():
            payload = events_pb2.CanvasChanged(
                canvas=event.canvas,
                space=event.space,
                revision=event.revision,
                previous_revision=event.previous_revision,
                node_count=event.node_count,
                edge_count=event.edge_count,
                editors=[Actor(name=editor) for editor in event.editors],
            )
    return EventMessage(CANVAS_CANVASES_V1, payload, event.canvas)
