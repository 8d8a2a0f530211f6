"""The canvases this instance holds open: loaded from storage on first use, updated from
clients and other instances, compacted as their update logs grow."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import pycrdt
import structlog
from knowledge.canvas.v1.events_pb2 import CanvasUpdateRelayed

from ..domain.ports import UpdateAppender
from ..repository.unit_of_work import SqlCanvasUnitOfWork
from .journal import PendingUpdate, UpdateJournal
from .relay import UpdateRelay
from .room import CanvasRoom
from .summaries import ChangeSummaries

_log = structlog.get_logger("ms_canvas.rooms")
UnitOfWorkFactory = Callable[[], SqlCanvasUnitOfWork]
RELAY_RECORD_BYTES = 256 * 1024  # well under Kafka's default limit of 1 MiB per record
# Merging n updates costs about n squared; a batch that waited out a database outage is split.
RELAY_RECORD_UPDATES = 100


class CanvasRooms:
    def __init__(
        self,
        unit_of_work: UnitOfWorkFactory,
        appender: UpdateAppender,
        summaries: ChangeSummaries,
        *,
        compact_after_updates: int,
        batch_seconds: float = 0.0,
    ) -> None:
        self.journal = UpdateJournal(appender.append, self._stored, batch_seconds=batch_seconds)
        self.relay: UpdateRelay | None = None
        self._unit_of_work = unit_of_work
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
            room = self._rooms[name] = CanvasRoom(name)
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

    async def apply_relayed(self, event: CanvasUpdateRelayed) -> None:
        """Another instance stored an update: merge it and pass it to this instance's clients."""
        room = self._rooms.get(event.canvas)
        if room is None:
            return
        try:
            applied = room.apply(event.update)
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
                    participant.connection.close(1008, "the canvas was deleted")
                    for participant in list(room.participants)
                )
            )

    async def _load(self, room: CanvasRoom) -> None:
        async with self._unit_of_work() as work:
            canvas = await work.canvases.get(room.name)
            state = await work.updates.load(room.name)
        for update in (state.snapshot, *state.updates):
            if update is not None:
                room.apply(update)
        room.revision = 0 if canvas is None else canvas.revision
        room.uncompacted = len(state.updates)

    async def _stored(self, batch: list[PendingUpdate], revisions: dict[str, int]) -> None:
        for pending in batch:
            pending.room.uncompacted += 1
            pending.room.unstored -= 1
        if self.relay is not None:
            await self._relay(batch)
        for room in {pending.room for pending in batch}:
            room.revision = revisions.get(room.name, room.revision)
            self._summaries.edited(room, {p.author for p in batch if p.room is room})
            await room.notify_changed()
            if room.uncompacted >= self._compact_after and room.name not in self._compacting:
                self._compacting[room.name] = asyncio.create_task(self._compact(room))
            self._forget_if_unused(room)

    async def _relay(self, batch: list[PendingUpdate]) -> None:
        assert self.relay is not None
        for record in relay_records(batch):
            try:
                await self.relay.publish(record.canvas, record.update, record.author)
            except Exception:
                # Stored already: other instances' clients get it when they next sync.
                _log.warning("canvas_update_not_relayed", canvas=record.canvas, exc_info=True)

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


@dataclass(frozen=True)
class RelayRecord:
    canvas: str
    author: str
    updates: tuple[bytes, ...]

    @property
    def update(self) -> bytes:
        """The updates as one (Yjs merges losslessly)."""
        if len(self.updates) == 1:
            return self.updates[0]
        return pycrdt.merge_updates(*self.updates)


def relay_records(batch: list[PendingUpdate]) -> list[RelayRecord]:
    """A stored batch as relay records: consecutive updates of one canvas and author go as one,
    up to RELAY_RECORD_BYTES and RELAY_RECORD_UPDATES, so a busy canvas costs Kafka a record per
    batch rather than one per update, no record outgrows what the broker accepts, and no merge
    holds up the event loop for long."""
    groups: list[tuple[str, str, list[bytes]]] = []
    size = 0
    for pending in batch:
        key = (pending.room.name, pending.author)
        if (
            groups
            and groups[-1][:2] == key
            and size + len(pending.update) <= RELAY_RECORD_BYTES
            and len(groups[-1][2]) < RELAY_RECORD_UPDATES
        ):
            groups[-1][2].append(pending.update)
            size += len(pending.update)
        else:
            groups.append((*key, [pending.update]))
            size = len(pending.update)
    return [RelayRecord(canvas, author, tuple(updates)) for canvas, author, updates in groups]
