"""CanvasService over gRPC: protobuf in, use cases called, protobuf out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import aclosing
from typing import Any

import grpc
from knowledge.canvas.v1 import canvas_service_pb2 as api
from knowledge.canvas.v1.canvas_service_pb2_grpc import CanvasServiceServicer
from knowledge_kit.api import caller, update_paths

from ..service.canvases import UPDATABLE_CANVAS_FIELDS, CanvasChanges, CanvasUseCases
from ..service.live import CanvasSnapshot, LiveCanvases
from .messages import canvas_message, changes_message, content_message

Context = grpc.aio.ServicerContext[Any, Any]


class CanvasServicer(CanvasServiceServicer):
    def __init__(self, canvases: CanvasUseCases, live: LiveCanvases) -> None:
        self._canvases = canvases
        self._live = live

    async def CreateCanvas(
        self, request: api.CreateCanvasRequest, context: Context
    ) -> api.CreateCanvasResponse:
        canvas = await self._canvases.create(
            caller(),
            request.parent,
            request.canvas_id,
            request.canvas.title,
            request.canvas.description,
        )
        return api.CreateCanvasResponse(canvas=canvas_message(canvas))

    async def GetCanvas(
        self, request: api.GetCanvasRequest, context: Context
    ) -> api.GetCanvasResponse:
        canvas = await self._canvases.get(caller(), request.name)
        return api.GetCanvasResponse(canvas=canvas_message(canvas))

    async def ListCanvases(
        self, request: api.ListCanvasesRequest, context: Context
    ) -> api.ListCanvasesResponse:
        page = await self._canvases.list(
            caller(), request.parent, request.page_size, request.page_token
        )
        return api.ListCanvasesResponse(
            canvases=[canvas_message(c) for c in page.items],
            next_page_token=page.next_page_token,
        )

    async def UpdateCanvas(
        self, request: api.UpdateCanvasRequest, context: Context
    ) -> api.UpdateCanvasResponse:
        paths = update_paths(request.update_mask, request.canvas, UPDATABLE_CANVAS_FIELDS)
        changes = CanvasChanges(paths, request.canvas.title, request.canvas.description)
        canvas = await self._canvases.update(
            caller(), request.canvas.name, changes, etag=request.canvas.etag
        )
        return api.UpdateCanvasResponse(canvas=canvas_message(canvas))

    async def DeleteCanvas(
        self, request: api.DeleteCanvasRequest, context: Context
    ) -> api.DeleteCanvasResponse:
        await self._canvases.delete(caller(), request.name, etag=request.etag)
        return api.DeleteCanvasResponse()

    async def GetCanvasContent(
        self, request: api.GetCanvasContentRequest, context: Context
    ) -> api.GetCanvasContentResponse:
        snapshot = await self._live.content(caller(), request.name)
        return content_message(snapshot.revision, snapshot.content)

    async def StreamCanvasChanges(
        self, request: api.StreamCanvasChangesRequest, context: Context
    ) -> AsyncIterator[api.StreamCanvasChangesResponse]:
        # Closed with the stream, so the canvas is released when the client goes away.
        async with aclosing(self._live.watch(caller(), request.name)) as views:
            async for view in views:
                if isinstance(view, CanvasSnapshot):
                    snapshot = content_message(view.revision, view.content)
                    yield api.StreamCanvasChangesResponse(revision=view.revision, snapshot=snapshot)
                else:
                    yield api.StreamCanvasChangesResponse(
                        revision=view.revision, changes=changes_message(view.changes)
                    )
