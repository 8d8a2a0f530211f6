"""One canvas being edited: its shared document, the connections on it and their presence."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pycrdt
from knowledge_kit.auth.principal import Principal
from websockets.asyncio.server import ServerConnection

from ..domain.content import EDGES, NODES, CanvasContent, content_of
from .awareness import AwarenessEntry, AwarenessLedger, encode_awareness_update
from .frame_sender import FrameSender, binary_frame
from .messages import awareness_message, sync_update

EMPTY_UPDATE = b"\x00\x00"  # what a peer with nothing to add sends as its sync step 2


@dataclass(eq=False)
class Participant:
    """One WebSocket connection on a canvas."""

    connection: ServerConnection
    sender: FrameSender
    principal: Principal
    can_write: bool
    awareness_ids: set[int] = field(default_factory=set)  # the Yjs clients it speaks for
    told_read_only: bool = False


class CanvasRoom:
    """The server's copy of a canvas's Yjs document, merged from every client and instance.

    Document updates go to the others as soon as they are merged (UpdateJournal stores and
    acknowledges them); presence is deduplicated and coalesced: whatever arrived within one
    turn of the event loop leaves as one message.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.doc: pycrdt.Doc[pycrdt.Map[object]] = pycrdt.Doc()
        self.revision = 0
        self.uncompacted = 0  # updates stored since the snapshot (roughly: other instances')
        self.unstored = 0  # updates merged here and not yet stored
        self.deleted = False
        self.participants: set[Participant] = set()
        self.changed = asyncio.Condition()
        self._awareness = AwarenessLedger()
        self._awareness_flush: asyncio.Handle | None = None

    def join(self, participant: Participant) -> None:
        self.participants.add(participant)

    def leave(self, participant: Participant) -> None:
        """Remove the participant; everyone is told its clients left."""
        self.participants.discard(participant)
        others = set().union(*(p.awareness_ids for p in self.participants))
        self.remove_awareness(participant.awareness_ids - others)

    def apply(self, update: bytes) -> bool:
        """Merge a Yjs update into the document (ValueError if it is not one); False if empty."""
        if update == EMPTY_UPDATE:
            return False
        self.doc.apply_update(update)
        return True

    def send_update(self, update: bytes, *, exclude: Participant | None = None) -> None:
        """Send a merged update to every connection but its sender."""
        self._broadcast(sync_update(update), exclude=exclude)

    def content(self) -> CanvasContent:
        """The nodes and edges the document holds now."""
        return content_of(
            {
                NODES: self.doc.get(NODES, type=pycrdt.Map).to_py(),
                EDGES: self.doc.get(EDGES, type=pycrdt.Map).to_py(),
            }
        )

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

    def awareness_now(self) -> bytes | None:
        """Everyone's presence as one message, for a new or asking connection."""
        current = self._awareness.current()
        return awareness_message(encode_awareness_update(current)) if current else None

    def _schedule_awareness_flush(self) -> None:
        if self._awareness_flush is None:
            self._awareness_flush = asyncio.get_running_loop().call_soon(self._flush_awareness)

    def _flush_awareness(self) -> None:
        self._awareness_flush = None
        pending = self._awareness.take_pending()
        if pending:
            # The sender gets its own presence back too: a lone y-websocket client otherwise
            # hears nothing and reconnects after 30 seconds of silence.
            self._broadcast(awareness_message(encode_awareness_update(pending)))

    def _broadcast(self, message: bytes, *, exclude: Participant | None = None) -> None:
        frame = binary_frame(message)
        for participant in list(self.participants):
            if participant is not exclude:
                participant.sender.send_frame(frame)
