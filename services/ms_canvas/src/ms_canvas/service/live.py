"""The live canvas: joining its shared document, reading what it shows, watching it change."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass

from knowledge_kit.auth.principal import Principal
from knowledge_kit.errors import NotFoundError

from ..domain.access import CanvasAccess
from ..domain.canvases import checked_canvas_name
from ..domain.changes import ContentChanges, changes_between
from ..domain.content import CanvasContent
from ..domain.ports import Peer
from .access import CanvasAccessCheck
from .participation import Participation
from .room import CanvasRoom, Participant
from .rooms import CanvasRooms


@dataclass(frozen=True, slots=True)
class CanvasSnapshot:
    revision: int
    content: CanvasContent


@dataclass(frozen=True, slots=True)
class CanvasChangesAt:
    revision: int
    changes: ContentChanges


class LiveCanvases:
    def __init__(self, access: CanvasAccessCheck, rooms: CanvasRooms) -> None:
        self._access = access
        self._rooms = rooms

    async def join(self, caller: Principal, name: str, peer: Peer) -> Participation:
        """The caller's part in the canvas's live document (editing if they may edit);
        NOT_FOUND for non-members of its space and for a canvas that does not exist."""
        space = checked_canvas_name(name, "path")
        granted = await self._access.on_canvas(caller, space, name, CanvasAccess.READ)
        room = await self._rooms.open(name)
        participant = Participant(peer, caller, CanvasAccess.WRITE in granted)
        room.join(participant)
        return Participation(self._rooms, room, participant)

    async def content(self, caller: Principal, name: str) -> CanvasSnapshot:
        """What the canvas shows now, for anyone who may read it."""
        room = await self._open(caller, name)
        try:
            return CanvasSnapshot(room.revision, room.document.content())
        finally:
            self._rooms.release(room)

    async def watch(
        self, caller: Principal, name: str
    ) -> AsyncGenerator[CanvasSnapshot | CanvasChangesAt]:
        """What the canvas shows now, then what changes with each new revision; NOT_FOUND
        once the canvas is deleted."""
        room = await self._open(caller, name)
        try:
            sent, revision = room.document.content(), room.revision
            yield CanvasSnapshot(revision, sent)
            while True:
                await _next_revision(room, revision)
                now, revision = room.document.content(), room.revision
                changes = changes_between(sent, now)
                sent = now
                if not changes.empty:
                    yield CanvasChangesAt(revision, changes)
        finally:
            self._rooms.release(room)

    async def _open(self, caller: Principal, name: str) -> CanvasRoom:
        space = checked_canvas_name(name, "name")
        await self._access.on_canvas(caller, space, name, CanvasAccess.READ)
        return await self._rooms.open(name)


async def _next_revision(room: CanvasRoom, seen: int) -> None:
    async with room.changed:
        await room.changed.wait_for(lambda: room.revision != seen or room.deleted)
    if room.deleted:
        raise NotFoundError(f"{room.name} was deleted")
