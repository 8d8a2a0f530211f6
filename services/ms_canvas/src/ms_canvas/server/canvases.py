"""CanvasService over gRPC: protobuf in, use cases called, protobuf out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import grpc
from knowledge.canvas.v1 import canvas_service_pb2 as api
from knowledge.canvas.v1.canvas_service_pb2_grpc import CanvasServiceServicer
from knowledge_kit.auth.principal import Principal, current_principal
from knowledge_kit.errors import (
    FieldViolation,
    NotFoundError,
    UnauthenticatedError,
    ValidationError,
)

from ..collaboration.room import CanvasRoom
from ..collaboration.rooms import CanvasRooms
from ..domain.changes import changes_between
from ..service.canvases import CanvasUseCases
from .messages import canvas_message, changes_message, content_message

Context = grpc.aio.ServicerContext[Any, Any]
UPDATABLE_FIELDS = frozenset({"title", "description"})


class CanvasServicer(CanvasServiceServicer):
    def __init__(self, use_cases: CanvasUseCases, rooms: CanvasRooms) -> None:
        self._use_cases = use_cases
        self._rooms = rooms

    async def CreateCanvas(
        self, request: api.CreateCanvasRequest, context: Context
    ) -> api.CreateCanvasResponse:
        canvas = await self._use_cases.create(
            _caller(),
            request.parent,
            request.canvas_id,
            request.canvas.title,
            request.canvas.description,
        )
        return api.CreateCanvasResponse(canvas=canvas_message(canvas))

    async def GetCanvas(
        self, request: api.GetCanvasRequest, context: Context
    ) -> api.GetCanvasResponse:
        canvas = await self._use_cases.get(_caller(), request.name)
        return api.GetCanvasResponse(canvas=canvas_message(canvas))

    async def ListCanvases(
        self, request: api.ListCanvasesRequest, context: Context
    ) -> api.ListCanvasesResponse:
        page = await self._use_cases.list(
            _caller(), request.parent, request.page_size, request.page_token
        )
        return api.ListCanvasesResponse(
            canvases=[canvas_message(c) for c in page.canvases],
            next_page_token=page.next_page_token,
        )

    async def UpdateCanvas(
        self, request: api.UpdateCanvasRequest, context: Context
    ) -> api.UpdateCanvasResponse:
        paths = set(request.update_mask.paths)
        if not paths or paths - UPDATABLE_FIELDS:
            raise ValidationError(
                "update_mask must name title and/or description",
                [FieldViolation("update_mask", "may name only title and description")],
            )
        canvas = await self._use_cases.update(
            _caller(),
            request.canvas.name,
            request.canvas.etag,
            title=request.canvas.title if "title" in paths else None,
            description=request.canvas.description if "description" in paths else None,
        )
        return api.UpdateCanvasResponse(canvas=canvas_message(canvas))

    async def DeleteCanvas(
        self, request: api.DeleteCanvasRequest, context: Context
    ) -> api.DeleteCanvasResponse:
        await self._use_cases.delete(_caller(), request.name, request.etag)
        await self._rooms.close_canvas(request.name)
        return api.DeleteCanvasResponse()

    async def GetCanvasContent(
        self, request: api.GetCanvasContentRequest, context: Context
    ) -> api.GetCanvasContentResponse:
        await self._use_cases.get(_caller(), request.name)
        room = await self._rooms.open(request.name)
        try:
            return content_message(room.revision, room.content())
        finally:
            self._rooms.release(room)

    async def StreamCanvasChanges(
        self, request: api.StreamCanvasChangesRequest, context: Context
    ) -> AsyncIterator[api.StreamCanvasChangesResponse]:
        await self._use_cases.get(_caller(), request.name)
        room = await self._rooms.open(request.name)
        try:
            sent, revision = room.content(), room.revision
            yield api.StreamCanvasChangesResponse(
                revision=revision, snapshot=content_message(revision, sent)
            )
            while True:
                await _next_revision(room, revision)
                now, revision = room.content(), room.revision
                changes = changes_between(sent, now)
                sent = now
                if not changes.empty:
                    yield api.StreamCanvasChangesResponse(
                        revision=revision, changes=changes_message(changes)
                    )
        finally:
            self._rooms.release(room)


async def _next_revision(room: CanvasRoom, seen: int) -> None:
    async with room.changed:
        await room.changed.wait_for(lambda: room.revision != seen or room.deleted)
    if room.deleted:
        raise NotFoundError(f"{room.name} was deleted")


def _caller() -> Principal:
    principal = current_principal()
    if principal is None:
        raise UnauthenticatedError("sign in first")
    return principal
