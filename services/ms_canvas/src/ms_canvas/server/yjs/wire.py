"""What a room sends its peers, as y-websocket frames: built once, sent to every peer."""

from __future__ import annotations

from collections.abc import Sequence

from ...domain.presence import AwarenessEntry
from .awareness import encode_awareness_update
from .frames import binary_frame
from .messages import awareness_message, sync_update


class YWebsocketWire:
    """The RoomWire of y-websocket clients."""

    def update_frame(self, update: bytes) -> bytes:
        return binary_frame(sync_update(update))

    def awareness_frame(self, entries: Sequence[AwarenessEntry]) -> bytes:
        return binary_frame(awareness_message(encode_awareness_update(entries)))


def awareness_now(entries: Sequence[AwarenessEntry]) -> bytes | None:
    """Everyone's presence as one y-websocket message, or None when nobody is present."""
    return awareness_message(encode_awareness_update(entries)) if entries else None
