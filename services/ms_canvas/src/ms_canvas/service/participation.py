"""What one connection does on a canvas it joined: sync, edit if it may, share its presence."""

from __future__ import annotations

import enum

from ..domain.document import EMPTY_UPDATE
from ..domain.presence import AwarenessEntry
from .journal import PendingUpdate
from .room import CanvasRoom, Participant
from .rooms import CanvasRooms


class Edit(enum.Enum):
    APPLIED = "applied"  # merged, passed to the others, being stored
    IGNORED = "ignored"  # nothing new, or a refusal the sender was told of before
    REFUSED = "refused"  # a viewer's change: not applied; tell them once


class Participation:
    """A participant in a room, until `leave`."""

    def __init__(self, rooms: CanvasRooms, room: CanvasRoom, participant: Participant) -> None:
        self._rooms = rooms
        self.room = room
        self.participant = participant

    def state_vector(self) -> bytes:
        """What the service holds of the document."""
        return self.room.document.state_vector()

    def missing_from(self, state_vector: bytes) -> bytes:
        """What a peer with `state_vector` lacks (ValueError if it is not a state vector)."""
        return self.room.document.missing_from(state_vector)

    def edit(self, update: bytes) -> Edit:
        """Apply the participant's Yjs update if it may edit (ValueError if it is no update)."""
        participant = self.participant
        if participant.can_write:
            if self.room.document.apply(update):
                # Peers get it now; it is stored meanwhile and acknowledged once committed.
                self.room.send_update(update, exclude=participant)
                self._rooms.submit(
                    PendingUpdate(self.room, update, participant, participant.principal.name)
                )
            return Edit.APPLIED
        if update == EMPTY_UPDATE or participant.told_read_only:
            return Edit.IGNORED
        participant.told_read_only = True
        return Edit.REFUSED

    def share_presence(self, entries: list[AwarenessEntry]) -> None:
        self.room.offer_awareness(self.participant, entries)

    def presence(self) -> list[AwarenessEntry]:
        """Everyone present on the canvas now."""
        return self.room.presence()

    def leave(self) -> None:
        self.room.leave(self.participant)
        self._rooms.release(self.room)
