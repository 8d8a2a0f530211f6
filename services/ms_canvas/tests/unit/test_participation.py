"""What a connection may do on a canvas it joined: editors' updates reach the others and wait to
be stored; a viewer's update is refused (told once), never applied, passed on or stored."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pycrdt
from knowledge_kit.auth.principal import Principal

from ms_canvas.domain.document import EMPTY_UPDATE
from ms_canvas.domain.ports import CanvasUnitOfWork, StoredUpdate
from ms_canvas.server.yjs.wire import YWebsocketWire
from ms_canvas.service.participation import Edit, Participation
from ms_canvas.service.room import CanvasRoom, Participant
from ms_canvas.service.rooms import CanvasRooms
from ms_canvas.service.summaries import ChangeSummaries

CANVAS = "spaces/s/canvases/c"


class RecordingPeer:
    """A connection that keeps the frames it was sent."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []

    def send_frame(self, frame: bytes) -> bool:
        self.frames.append(frame)
        return True

    async def disconnect(self, reason: str) -> None:
        raise AssertionError(f"not disconnected here: {reason}")


class UnusedAppender:
    async def append(self, updates: Sequence[StoredUpdate]) -> dict[str, int]:
        raise AssertionError("the journal is not running")


def no_database() -> CanvasUnitOfWork:
    raise AssertionError("joining an open room needs no database")


def node_update(node_id: str) -> bytes:
    doc: pycrdt.Doc[Any] = pycrdt.Doc()
    nodes = doc.get("nodes", type=pycrdt.Map)
    nodes[node_id] = pycrdt.Map({"label": node_id})
    return doc.get_update()


def joined(rooms: CanvasRooms, room: CanvasRoom, user: str, *, can_write: bool) -> Participation:
    participant = Participant(RecordingPeer(), Principal(user), can_write)
    room.join(participant)
    return Participation(rooms, room, participant)


def frames_of(participation: Participation) -> list[bytes]:
    peer = participation.participant.peer
    assert isinstance(peer, RecordingPeer)
    return peer.frames


def setup() -> tuple[CanvasRooms, CanvasRoom]:
    wire = YWebsocketWire()
    summaries = ChangeSummaries(no_database, debounce_seconds=1)
    rooms = CanvasRooms(no_database, UnusedAppender(), summaries, wire, compact_after_updates=10)
    return rooms, CanvasRoom(CANVAS, wire)


def test_an_editors_update_reaches_the_others_and_waits_to_be_stored() -> None:
    rooms, room = setup()
    editor = joined(rooms, room, "users/bob", can_write=True)
    viewer = joined(rooms, room, "users/carol", can_write=False)

    assert editor.edit(node_update("n1")) is Edit.APPLIED

    assert [node.id for node in room.document.content().nodes] == ["n1"]
    assert len(frames_of(viewer)) == 1 and not frames_of(editor)
    assert room.unstored == 1


def test_a_viewers_update_is_refused_once_and_goes_nowhere() -> None:
    rooms, room = setup()
    editor = joined(rooms, room, "users/bob", can_write=True)
    viewer = joined(rooms, room, "users/carol", can_write=False)

    assert viewer.edit(EMPTY_UPDATE) is Edit.IGNORED  # nothing to add is no attempt
    assert viewer.edit(node_update("vandal")) is Edit.REFUSED
    assert viewer.edit(node_update("again")) is Edit.IGNORED

    assert not room.document.content().nodes
    assert not frames_of(editor)
    assert room.unstored == 0
