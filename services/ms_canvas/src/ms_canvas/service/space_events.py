"""What ms_canvas does when a Knowledge space changes: a deleted space takes its canvases."""

from __future__ import annotations

from knowledge.knowledge.v1.events_pb2 import SpaceDeleted
from knowledge_kit.events.consumer import ConsumedEvent

from ..repository.canvases import SqlCanvasRepository


async def remove_canvases_of_deleted_space(event: ConsumedEvent) -> None:
    """Runs in the consumer's transaction, together with its inbox record."""
    payload: SpaceDeleted = event.payload
    await SqlCanvasRepository(event.session).remove_space(payload.space)
