"""The canvases this instance holds open: loaded from storage on first use, updated from
clients and other instances, compacted as their update logs grow."""

from __future__ import annotations

import asyncio

import structlog

from ..domain.instances import RelayedUpdate
from ..domain.ports import RoomWire, UnitOfWorkFactory, UpdateAppender
from .instances import InstanceRelay
from .journal import PendingUpdate, UpdateJournal
from .room import CanvasRoom
from .summaries import ChangeSummaries

_log = structlog.get_logger("ms_canvas.rooms")


class CanvasRooms:
    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        appender: UpdateAppender,
        summaries: ChangeSummaries,
        wire: RoomWire,
        *,
        compact_after_updates: int,
        batch_seconds: float = 0.0,
    ) -> None:
        self.journal = UpdateJournal(appender.append, self._stored, batch_seconds=batch_seconds)
        self.instances: InstanceRelay | None = None  # None: this instance is alone
        self._unit_of_work = unit_of_work
        self._wire = wire
        self._summaries = summaries
        self._compact_after = compact_after_updates
        self._rooms: dict[str, CanvasRoom] = {}
        self._users: dict[str, int] = {}
        self._loading: dict[str, asyncio.Task[None]] = {}
        self._compacting: dict[str, asyncio.Task[None]] = {}

    async def open(self, name: str) -> CanvasRoom:
        """The room of canvas `name`, loaded from storage on first use; `release` it when done."""
        room = self._rooms.get(name)
        if room is None:
            # Registered before loading, so relayed updates that arrive meanwhile are kept
            # (Yjs merges them in any order).
            room = self._rooms[name] = CanvasRoom(name, self._wire)
            self._loading[name] = asyncio.create_task(self._load(room))
        self._users[name] = self._users.get(name, 0) + 1
        try:
            await asyncio.shield(self._loading[name])
        except BaseException:
            self.release(room)
            raise
        return room

    def release(self, room: CanvasRoom) -> None:
        """One user fewer; the room is forgotten with its last user once its updates are stored."""
        left = self._users.get(room.name, 1) - 1
        if left > 0:
            self._users[room.name] = left
            return
        self._users.pop(room.name, None)
        self._forget_if_unused(room)

    def room_of(self, name: str) -> CanvasRoom | None:
        """The room of canvas `name` if this instance holds it open (loaded or loading)."""
        return self._rooms.get(name)

    def loaded(self) -> list[CanvasRoom]:
        """The rooms this instance holds open and has loaded."""
        return [room for room in self._rooms.values() if _succeeded(self._loading.get(room.name))]

    def submit(self, pending: PendingUpdate) -> None:
        """Store an update merged into its room; it is passed on once stored."""
        pending.room.unstored += 1
        self.journal.submit(pending)

    def _forget_if_unused(self, room: CanvasRoom) -> None:
        # A room reopened before its last updates were stored would load without them.
        if room.name in self._users or room.unstored or self._rooms.get(room.name) is not room:
            return
        del self._rooms[room.name]
        self._loading.pop(room.name, None)
        if self.instances is not None:
            self.instances.released(room.name)

    async def apply_relayed(self, event: RelayedUpdate) -> None:
        """Another instance stored an update: merge it and pass it to this instance's clients."""
        room = self._rooms.get(event.canvas)
        if room is None:
            return
        try:
            applied = room.document.apply(event.update)
        except ValueError:
            _log.warning("canvas_relayed_update_unreadable", canvas=event.canvas)
            return
        if applied:
            room.revision += 1
            room.send_update(event.update)
            await room.notify_changed()

    async def close_canvas(self, name: str) -> None:
        """The canvas was deleted: disconnect everyone on it."""
        room = self._rooms.get(name)
        if room is not None:
            room.deleted = True
            await room.notify_changed()
            await asyncio.gather(
                *(
                    participant.peer.disconnect("the canvas was deleted")
                    for participant in list(room.participants)
                )
            )

    async def _load(self, room: CanvasRoom) -> None:
        async with self._unit_of_work() as work:
            canvas = await work.canvases.get(room.name)
            state = await work.updates.load(room.name)
        for update in (state.snapshot, *state.updates):
            if update is not None:
                room.document.apply(update)
        room.revision = 0 if canvas is None else canvas.revision
        room.uncompacted = len(state.updates)
        if self.instances is not None:
            self.instances.opened(room)

    async def _stored(self, batch: list[PendingUpdate], revisions: dict[str, int]) -> None:
        for pending in batch:
            pending.room.uncompacted += 1
            pending.room.unstored -= 1
        if self.instances is not None:
            await self.instances.stored(batch)
        for room in {pending.room for pending in batch}:
            room.revision = revisions.get(room.name, room.revision)
            self._summaries.edited(room, {p.author for p in batch if p.room is room})
            await room.notify_changed()
            if room.uncompacted >= self._compact_after and room.name not in self._compacting:
                self._compacting[room.name] = asyncio.create_task(self._compact(room))
            self._forget_if_unused(room)

    async def _compact(self, room: CanvasRoom) -> None:
        try:
            async with self._unit_of_work() as work:
                folded = await work.updates.compact(room.name)
                await work.commit()
            room.uncompacted = max(room.uncompacted - folded, 0)
        except Exception:
            _log.warning("canvas_compaction_failed", canvas=room.name, exc_info=True)
        finally:
            del self._compacting[room.name]


def _succeeded(task: asyncio.Task[None] | None) -> bool:
    return task is not None and task.done() and not task.cancelled() and not task.exception()
