"""What happened to canvases, as other services learn it through the outbox."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CanvasCreated:
    canvas: str
    space: str
    title: str
    creator: str


@dataclass(frozen=True, slots=True)
class CanvasDeleted:
    canvas: str
    space: str
    deleted_by: str


@dataclass(frozen=True, slots=True)
class CanvasChanged:
    """A summary of the edits to a canvas since the previous summary."""

    canvas: str
    space: str
    revision: int
    previous_revision: int
    node_count: int
    edge_count: int
    editors: tuple[str, ...]


CanvasEvent = CanvasCreated | CanvasDeleted | CanvasChanged
