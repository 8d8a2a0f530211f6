"""What ms_canvas does when a Knowledge space changes: a deleted space takes its canvases."""

from __future__ import annotations

from ..domain.ports import CanvasRepository


async def remove_canvases_of_space(canvases: CanvasRepository, space: str) -> list[str]:
    """Remove every canvas of `space` with its stored updates; the names removed."""
    return await canvases.remove_space(space)
