"""Canvas use cases: create, read, list, rename and delete."""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

from knowledge_kit.api import Clock, Page, PageTokens, check_etag, checked_resource_id, new_etag
from knowledge_kit.auth.principal import Principal
from knowledge_kit.errors import AlreadyExistsError

from ..domain.access import CanvasAccess
from ..domain.canvases import (
    Canvas,
    canvas_name,
    checked_canvas_name,
    checked_description,
    checked_space_name,
    checked_title,
)
from ..domain.events import CanvasCreated, CanvasDeleted
from ..domain.ports import UnitOfWorkFactory
from .access import CanvasAccessCheck, existing
from .rooms import CanvasRooms

UPDATABLE_CANVAS_FIELDS = ("title", "description")


@dataclass(frozen=True, slots=True)
class CanvasChanges:
    """New values for the fields in `paths` (other values are ignored)."""

    paths: AbstractSet[str]
    title: str = ""
    description: str = ""


class CanvasUseCases:
    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        access: CanvasAccessCheck,
        rooms: CanvasRooms,
        *,
        pages: PageTokens,
        clock: Clock,
    ) -> None:
        self._unit_of_work = unit_of_work
        self._access = access
        self._rooms = rooms
        self._pages = pages
        self._clock = clock

    async def create(
        self, caller: Principal, parent: str, canvas_id: str, title: str, description: str
    ) -> Canvas:
        checked_space_name(parent, "parent")
        now = self._clock()
        canvas = Canvas(
            name=canvas_name(parent, checked_resource_id(canvas_id, "canvas_id")),
            title=checked_title(title),
            description=checked_description(description),
            revision=0,
            etag=new_etag(),
            create_time=now,
            update_time=now,
            creator=caller.name,
        )
        await self._access.require(caller, parent, CanvasAccess.WRITE)
        async with self._unit_of_work() as work:
            if await work.canvases.get(canvas.name) is not None:
                raise AlreadyExistsError(f"{canvas.name} already exists")
            await work.canvases.add(canvas)
            await work.record(CanvasCreated(canvas.name, parent, canvas.title, caller.name))
            await work.commit()
        return canvas

    async def get(self, caller: Principal, name: str) -> Canvas:
        space = checked_canvas_name(name, "name")
        await self._access.require(caller, space, CanvasAccess.READ)
        async with self._unit_of_work() as work:
            return await existing(work, name)

    async def list(
        self, caller: Principal, parent: str, page_size: int, page_token: str
    ) -> Page[Canvas]:
        checked_space_name(parent, "parent")
        request = self._pages.request(page_size, page_token, listing=(parent,))
        await self._access.require(caller, parent, CanvasAccess.READ)
        async with self._unit_of_work() as work:
            fetched = await work.canvases.list_in_space(
                parent, offset=request.offset, limit=request.fetch_limit
            )
        return request.page_at_offset(list(fetched))

    async def update(
        self, caller: Principal, name: str, changes: CanvasChanges, *, etag: str
    ) -> Canvas:
        """The canvas with the masked fields changed, given its current etag (AIP-154:
        INVALID_ARGUMENT without one, ABORTED on a stale one)."""
        space = checked_canvas_name(name, "canvas.name")
        await self._access.require(caller, space, CanvasAccess.WRITE)
        async with self._unit_of_work() as work:
            canvas = await existing(work, name)
            check_etag(etag, canvas.etag, resource=name, field="canvas.etag", required=True)
            changed = replace(
                canvas,
                title=checked_title(changes.title) if "title" in changes.paths else canvas.title,
                description=(
                    checked_description(changes.description)
                    if "description" in changes.paths
                    else canvas.description
                ),
                etag=new_etag(),
                update_time=self._clock(),
            )
            await work.canvases.save(changed)
            await work.commit()
        return changed

    async def delete(self, caller: Principal, name: str, *, etag: str) -> None:
        """Delete the canvas; everyone editing it is disconnected."""
        space = checked_canvas_name(name, "name")
        await self._access.require(caller, space, CanvasAccess.WRITE)
        async with self._unit_of_work() as work:
            canvas = await existing(work, name)
            check_etag(etag, canvas.etag, resource=name, field="etag", required=False)
            await work.canvases.remove(name)
            await work.record(CanvasDeleted(name, space, caller.name))
            await work.commit()
        await self._rooms.close_canvas(name)
