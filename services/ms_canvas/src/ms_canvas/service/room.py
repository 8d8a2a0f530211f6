"""One canvas being edited: its shared document, the peers on it and their presence."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from knowledge_kit.auth.principal import Principal

from ..domain.document import CanvasDocument
from ..domain.ports import Peer, RoomWire
from ..domain.presence import AwarenessEntry, AwarenessLedger


@dataclass(eq=False)
class Participant:
    """One connection on a canvas."""

    peer: Peer
    principal: Principal
    can_write: bool
    awareness_ids: set[int] = field(default_factory=set)  # the Yjs clients it speaks for
    told_read_only: bool = False


class CanvasRoom:
    """The service's copy of a canvas's Yjs document, merged from every client and instance.

    Document updates go to the others as soon as they are merged (UpdateJournal stores and
    acknowledges them); presence is deduplicated and coalesced: whatever arrived within one
    turn of the event loop leaves as one message.
    """

    def __init__(self, name: str, wire: RoomWire) -> None:
        self.name = name
        self.document = CanvasDocument()
        self.revision = 0
        self.uncompacted = 0  # updates stored since the snapshot (roughly: other instances')
        self.unstored = 0  # updates merged here and not yet stored
        self.deleted = False
        self.participants: set[Participant] = set()
        self.changed = asyncio.Condition()
        self._wire = wire
        self._awareness = AwarenessLedger()
        self._awareness_flush: asyncio.Handle | None = None

    def join(self, participant: Participant) -> None:
        self.participants.add(participant)

    def leave(self, participant: Participant) -> None:
        """Remove the participant; everyone is told its clients left."""
        self.participants.discard(participant)
        others = set().union(*(p.awareness_ids for p in self.participants))
        self.remove_awareness(participant.awareness_ids - others)

    def send_update(self, update: bytes, *, exclude: Participant | None = None) -> None:
        """Send a merged update to every peer but its sender."""
        self._broadcast(self._wire.update_frame(update), exclude=exclude)

    async def notify_changed(self) -> None:
        """Wake the live views of this canvas."""
        async with self.changed:
            self.changed.notify_all()

    def offer_awareness(self, sender: Participant, entries: list[AwarenessEntry]) -> None:
        """Take a client's presence update; only news is passed on, coalesced."""
        claimed = set().union(*(p.awareness_ids for p in self.participants if p is not sender))
        sender.awareness_ids.update(
            entry.client_id
            for entry in entries
            if entry.client_id not in claimed and not entry.removed
        )
        if self._awareness.accept(entries):
            self._schedule_awareness_flush()

    def remove_awareness(self, client_ids: set[int]) -> None:
        if client_ids:
            self._awareness.remove(client_ids)
            self._schedule_awareness_flush()

    def presence(self) -> list[AwarenessEntry]:
        """Everyone present now, for a new or asking connection."""
        return self._awareness.current()

    def _schedule_awareness_flush(self) -> None:
        if self._awareness_flush is None:
            self._awareness_flush = asyncio.get_running_loop().call_soon(self._flush_awareness)

    def _flush_awareness(self) -> None:
        self._awareness_flush = None
        pending = self._awareness.take_pending()
        if pending:
            # The sender gets its own presence back too: a lone y-websocket client otherwise
            # hears nothing and reconnects after 30 seconds of silence.
            self._broadcast(self._wire.awareness_frame(pending))

    def _broadcast(self, frame: bytes, *, exclude: Participant | None = None) -> None:
        for participant in list(self.participants):
            if participant is not exclude:
                participant.peer.send_frame(frame)
