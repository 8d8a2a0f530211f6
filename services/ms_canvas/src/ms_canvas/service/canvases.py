"""Canvas use cases: create, read, list, rename, delete, and who may open one."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from knowledge.canvas.v1.events_pb2 import CanvasCreated, CanvasDeleted
from knowledge.common.v1.actor_pb2 import Actor
from knowledge.topics import CANVAS_CANVASES_V1
from knowledge_kit.auth.principal import Principal
from knowledge_kit.errors import (
    AlreadyExistsError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)

from ..domain.access import CanvasAccess, access_of
from ..domain.canvases import (
    Canvas,
    checked_canvas_id,
    checked_canvas_name,
    checked_description,
    checked_space_name,
    checked_title,
)
from ..domain.ports import SpaceRoles
from ..repository.unit_of_work import SqlCanvasUnitOfWork
from .pages import page_request

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class CanvasPage:
    canvases: list[Canvas]
    next_page_token: str


class CanvasUseCases:
    def __init__(
        self,
        unit_of_work: Callable[[], SqlCanvasUnitOfWork],
        space_roles: SpaceRoles,
        *,
        clock: Clock = lambda: datetime.now(UTC),
    ) -> None:
        self._unit_of_work = unit_of_work
        self._roles = space_roles
        self._clock = clock

    async def access(self, caller: Principal, space: str) -> frozenset[CanvasAccess]:
        """What the caller may do with the canvases of `space` (empty: nothing)."""
        return access_of(await self._roles.role_of(space, caller))

    async def require(self, caller: Principal, space: str, wanted: CanvasAccess) -> None:
        """NOT_FOUND for non-members (they learn nothing), PERMISSION_DENIED for viewers."""
        granted = await self.access(caller, space)
        if not granted:
            raise NotFoundError(f"{space} does not exist")
        if wanted not in granted:
            raise PermissionDeniedError(f"a viewer of {space} may not change its canvases")

    async def create(
        self, caller: Principal, parent: str, canvas_id: str, title: str, description: str
    ) -> Canvas:
        checked_space_name(parent, "parent")
        canvas_id = checked_canvas_id(canvas_id) if canvas_id else uuid.uuid4().hex[:12]
        now = self._clock()
        canvas = Canvas(
            name=f"{parent}/canvases/{canvas_id}",
            title=checked_title(title),
            description=checked_description(description),
            revision=0,
            etag=uuid.uuid4().hex,
            create_time=now,
            update_time=now,
            creator=caller.name,
        )
        await self.require(caller, parent, CanvasAccess.WRITE)
        async with self._unit_of_work() as work:
            if await work.canvases.get(canvas.name) is not None:
                raise AlreadyExistsError(f"{canvas.name} already exists")
            await work.canvases.add(canvas)
            await work.record(
                CANVAS_CANVASES_V1,
                CanvasCreated(
                    canvas=canvas.name,
                    space=parent,
                    title=canvas.title,
                    creator=Actor(name=caller.name),
                ),
                subject=canvas.name,
            )
            await work.commit()
        return canvas

    async def get(self, caller: Principal, name: str) -> Canvas:
        space = checked_canvas_name(name, "name")
        await self.require(caller, space, CanvasAccess.READ)
        async with self._unit_of_work() as work:
            return await _existing(work, name)

    async def list(
        self, caller: Principal, parent: str, page_size: int, page_token: str
    ) -> CanvasPage:
        checked_space_name(parent, "parent")
        request = page_request(page_size, page_token, listing=parent)
        await self.require(caller, parent, CanvasAccess.READ)
        async with self._unit_of_work() as work:
            fetched = await work.canvases.list_in_space(
                parent, offset=request.offset, limit=request.size + 1
            )
        return CanvasPage(list(fetched[: request.size]), request.next_token(len(fetched)))

    async def update(
        self,
        caller: Principal,
        name: str,
        etag: str,
        *,
        title: str | None,
        description: str | None,
    ) -> Canvas:
        space = checked_canvas_name(name, "canvas.name")
        await self.require(caller, space, CanvasAccess.WRITE)
        async with self._unit_of_work() as work:
            canvas = await _existing(work, name)
            if etag and etag != canvas.etag:
                raise ConflictError(f"{name} changed since etag {etag}")
            changed = replace(
                canvas,
                title=canvas.title if title is None else checked_title(title),
                description=(
                    canvas.description if description is None else checked_description(description)
                ),
                etag=uuid.uuid4().hex,
                update_time=self._clock(),
            )
            await work.canvases.save(changed)
            await work.commit()
        return changed

    async def delete(self, caller: Principal, name: str, etag: str) -> None:
        space = checked_canvas_name(name, "name")
        await self.require(caller, space, CanvasAccess.WRITE)
        async with self._unit_of_work() as work:
            canvas = await _existing(work, name)
            if etag and etag != canvas.etag:
                raise ConflictError(f"{name} changed since etag {etag}")
            await work.canvases.remove(name)
            await work.record(
                CANVAS_CANVASES_V1,
                CanvasDeleted(canvas=name, space=space, deleted_by=Actor(name=caller.name)),
                subject=name,
            )
            await work.commit()

    async def connect(self, caller: Principal, name: str) -> frozenset[CanvasAccess]:
        """What the caller may do on the canvas's live document; NOT_FOUND for non-members
        of its space and for a canvas that does not exist."""
        granted = await self.access(caller, checked_canvas_name(name, "path"))
        if not granted:
            raise NotFoundError(f"{name} does not exist")
        async with self._unit_of_work() as work:
            await _existing(work, name)
        return granted


async def _existing(work: SqlCanvasUnitOfWork, name: str) -> Canvas:
    canvas = await work.canvases.get(name)
    if canvas is None:
        raise NotFoundError(f"{name} does not exist")
    return canvas
