"""Who may do what with the canvases of a space, asked of the space's members (ms_knowledge)."""

from __future__ import annotations

from knowledge_kit.auth.principal import Principal
from knowledge_kit.errors import NotFoundError

from ..domain.access import CanvasAccess, access_of, require
from ..domain.canvases import Canvas
from ..domain.ports import CanvasUnitOfWork, SpaceRoles, UnitOfWorkFactory


class CanvasAccessCheck:
    """Every use case's access check: the caller's role in the space, then the canvas."""

    def __init__(self, unit_of_work: UnitOfWorkFactory, space_roles: SpaceRoles) -> None:
        self._unit_of_work = unit_of_work
        self._roles = space_roles

    async def granted(self, caller: Principal, space: str) -> frozenset[CanvasAccess]:
        """What the caller may do with the canvases of `space` (empty: nothing)."""
        return access_of(await self._roles.role_of(space, caller))

    async def require(self, caller: Principal, space: str, wanted: CanvasAccess) -> None:
        """NOT_FOUND for non-members (they learn nothing), PERMISSION_DENIED for viewers."""
        require(await self.granted(caller, space), wanted, space)

    async def on_canvas(
        self, caller: Principal, space: str, name: str, wanted: CanvasAccess
    ) -> frozenset[CanvasAccess]:
        """What the caller may do on canvas `name` of `space`, when that includes `wanted`;
        NOT_FOUND for non-members of the space and for a canvas that does not exist."""
        granted = await self.granted(caller, space)
        if not granted:
            raise NotFoundError(f"{name} does not exist")
        require(granted, wanted, space)
        async with self._unit_of_work() as work:
            await existing(work, name)
        return granted


async def existing(work: CanvasUnitOfWork, name: str) -> Canvas:
    """Canvas `name`, or NOT_FOUND."""
    canvas = await work.canvases.get(name)
    if canvas is None:
        raise NotFoundError(f"{name} does not exist")
    return canvas
