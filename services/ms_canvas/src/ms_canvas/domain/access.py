"""What a member of a space may do with its canvases, by the member's role in the space."""

from __future__ import annotations

import enum

from knowledge_kit.errors import NotFoundError, PermissionDeniedError


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


def require(granted: frozenset[CanvasAccess], wanted: CanvasAccess, space: str) -> None:
    """NOT_FOUND for non-members (they learn nothing), PERMISSION_DENIED for viewers."""
    if not granted:
        raise NotFoundError(f"{space} does not exist")
    if wanted not in granted:
        raise PermissionDeniedError(f"a viewer of {space} may not change its canvases")
