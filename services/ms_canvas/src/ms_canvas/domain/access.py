"""What a member of a space may do with its canvases, by the member's role in the space."""

from __future__ import annotations

import enum


class SpaceRole(enum.IntEnum):
    """The caller's role in a space, as ms_knowledge keeps it (same numbers as SpaceRole)."""

    VIEWER = 1
    EDITOR = 2
    OWNER = 3


class CanvasAccess(enum.Enum):
    READ = "read"
    WRITE = "write"


def access_of(role: SpaceRole | None) -> frozenset[CanvasAccess]:
    """Viewers read (and share their presence); editors and owners also change canvases."""
    if role is None:
        return frozenset()
    if role >= SpaceRole.EDITOR:
        return frozenset({CanvasAccess.READ, CanvasAccess.WRITE})
    return frozenset({CanvasAccess.READ})
