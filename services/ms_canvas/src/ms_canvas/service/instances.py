"""Keeping the other ms_canvas instances that hold a canvas open up to date with it.

An instance relays a canvas's stored updates only while another instance holds that canvas,
so a canvas edited through one instance costs Kafka nothing but a holding notice now and
then. Holding is announced through the relay:

- an instance that opens a canvas (loaded from storage) announces OPENED with its
  state vector, and repeats STILL with its vector every `heartbeat_seconds`;
- every other holder answers each announcement with what that vector lacks, and, if it did not
  know the announcer, announces STILL itself, so the announcer sends back what it
  lacks in turn. Updates made before two instances knew of each other, or carried by a record
  that was lost, reach both within a heartbeat;
- a holder unheard of for three heartbeats is forgotten, and RELEASED forgets it at
  once.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from typing import Any

import pycrdt
import structlog

from ..domain.document import EMPTY_UPDATE
from ..domain.holders import CanvasHolders
from ..domain.instances import Holding, HoldingNotice
from ..domain.ports import InstanceChannel
from .journal import PendingUpdate
from .room import CanvasRoom

_log = structlog.get_logger("ms_canvas.instances")
HEARTBEAT_SECONDS = 10.0
RELAY_RECORD_BYTES = 256 * 1024  # well under Kafka's default limit of 1 MiB per record
# Merging n updates costs about n squared; a batch that waited out a database outage is split.
RELAY_RECORD_UPDATES = 100
OPENED, STILL, RELEASED = Holding.OPENED, Holding.STILL, Holding.RELEASED


class InstanceRelay:
    def __init__(
        self,
        relay: InstanceChannel,
        room_of: Callable[[str], CanvasRoom | None],
        open_rooms: Callable[[], Iterable[CanvasRoom]],
        *,
        heartbeat_seconds: float = HEARTBEAT_SECONDS,
    ) -> None:
        self._relay = relay
        self._room_of = room_of
        self._open_rooms = open_rooms
        self._heartbeat = heartbeat_seconds
        self._holders = CanvasHolders(expires_after=3 * heartbeat_seconds)
        self._sending: set[asyncio.Task[None]] = set()

    def opened(self, room: CanvasRoom) -> None:
        """`room` was loaded: ask the other holders for what it lacks."""
        self._soon(self._announce(room.name, OPENED, room.document.state_vector()))

    def released(self, canvas: str) -> None:
        """This instance let `canvas` go."""
        self._holders.forget(canvas)
        self._soon(self._announce(canvas, RELEASED))

    async def stored(self, batch: list[PendingUpdate]) -> None:
        """Relay a stored batch's updates of the canvases other instances hold."""
        wanted = [p for p in batch if self._holders.held_elsewhere(p.room.name)]
        for record in relay_records(wanted):
            await self._publish(record.canvas, record.update, record.author)

    async def held(self, event: HoldingNotice) -> None:
        """Another instance said whether it holds a canvas."""
        room = self._room_of(event.canvas)
        if room is None:
            return  # not held here: nothing to send it, nothing to relay to it
        if event.holding == RELEASED:
            self._holders.released(event.canvas, event.instance)
            return
        new = self._holders.saw(event.canvas, event.instance)
        # Every announcement is answered with what the announcer's vector lacks: on opening,
        # what it missed while loading; on a heartbeat, what a lost record left out (after a
        # Kafka outage, say), and otherwise no more than the updates already on their way.
        try:
            missing = room.document.missing_from(event.state_vector)
        except ValueError:
            _log.warning("canvas_holder_state_unreadable", canvas=event.canvas)
            return
        if missing != EMPTY_UPDATE:
            await self._publish(event.canvas, missing, author="")
        if new:
            await self._announce(room.name, STILL, room.document.state_vector())

    async def run(self, stop: asyncio.Event) -> None:
        """Repeat STILL for every open canvas until `stop` is set."""
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._heartbeat)
                return
            for room in list(self._open_rooms()):
                await self._announce(room.name, STILL, room.document.state_vector())

    async def close(self) -> None:
        """Send the announcements under way (the last RELEASED), then stop the relay."""
        await asyncio.gather(*self._sending, return_exceptions=True)
        await self._relay.stop()

    async def _publish(self, canvas: str, update: bytes, author: str) -> None:
        try:
            await self._relay.publish(canvas, update, author)
        except Exception:
            # Stored already: other instances' clients get it when they next sync.
            _log.warning("canvas_update_not_relayed", canvas=canvas, exc_info=True)

    async def _announce(self, canvas: str, holding: Holding, state: bytes = b"") -> None:
        try:
            await self._relay.announce(canvas, holding, state)
        except Exception:
            # The next heartbeat says it again.
            _log.warning("canvas_holding_not_announced", canvas=canvas, exc_info=True)

    def _soon(self, sending: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(sending)
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)


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
