"""knowledge.spaces.v1 events in, use cases called (in the consumer's transaction)."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from google.protobuf.message import Message
from knowledge.knowledge.v1.events_pb2 import SpaceDeleted
from knowledge_kit.events.consumer import ConsumedEvent, EventHandler
from sqlalchemy.ext.asyncio import AsyncSession

from ..domain.ports import CanvasRepository
from ..service.space_events import remove_canvases_of_space


def space_event_handlers(
    canvases_in: Callable[[AsyncSession], CanvasRepository],
) -> Mapping[type[Message], EventHandler]:
    """The handlers of what ms_canvas consumes; `canvases_in(session)` is the canvas
    repository on the consumer's transaction, so the change commits with its inbox record."""

    async def space_deleted(event: ConsumedEvent) -> None:
        payload: SpaceDeleted = event.payload
        await remove_canvases_of_space(canvases_in(event.session), payload.space)

    return {SpaceDeleted: space_deleted}
