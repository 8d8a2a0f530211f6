"""The collaboration WebSocket: `/spaces/{space}/canvases/{canvas}` speaking y-websocket.

Authenticated before the upgrade by the kit (token as subprotocol `bearer.<jwt>` next to
`knowledge.v1`, or as `?access_token=`). Editors and owners of the space edit; viewers sync
and share their presence, and their document updates are refused. A frame that is not a
y-websocket message closes that connection only, with a close code saying why.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import structlog
from knowledge_kit.auth.principal import Principal
from knowledge_kit.errors import DomainError, ValidationError
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode

from ..collaboration.awareness import parse_awareness_update
from ..collaboration.frame_sender import FrameSender
from ..collaboration.journal import PendingUpdate
from ..collaboration.lib0 import MalformedMessage
from ..collaboration.messages import (
    AwarenessMessage,
    ClientMessage,
    SyncMessage,
    SyncStep,
    UnsupportedMessage,
    parse_client_message,
    permission_denied,
    sync_step_1,
    sync_step_2,
)
from ..collaboration.room import EMPTY_UPDATE, CanvasRoom, Participant
from ..collaboration.rooms import CanvasRooms
from ..domain.access import CanvasAccess
from ..service.canvases import CanvasUseCases

_log = structlog.get_logger("ms_canvas.socket")
READ_ONLY = "read-only: viewers of this space may not change its canvases"


class ProtocolViolation(Exception):
    def __init__(self, code: CloseCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class CanvasSocket:
    def __init__(
        self, use_cases: CanvasUseCases, rooms: CanvasRooms, *, max_buffered_bytes: int
    ) -> None:
        self._use_cases = use_cases
        self._rooms = rooms
        self._max_buffered = max_buffered_bytes

    async def __call__(self, connection: ServerConnection, principal: Principal) -> None:
        try:
            name = canvas_name_of(connection.request.path if connection.request else "")
            access = await self._use_cases.connect(principal, name)
        except DomainError as refused:
            await connection.close(CloseCode.POLICY_VIOLATION, refused.message[:120])
            return
        room = await self._rooms.open(name)
        sender = FrameSender(connection, max_buffered_bytes=self._max_buffered)
        participant = Participant(connection, sender, principal, CanvasAccess.WRITE in access)
        room.join(participant)
        try:
            sender.send(sync_step_1(room.doc.get_state()))
            awareness = room.awareness_now()
            if awareness is not None:
                sender.send(awareness)
            await self._serve(connection, room, participant)
        finally:
            room.leave(participant)
            self._rooms.release(room)

    async def _serve(
        self, connection: ServerConnection, room: CanvasRoom, participant: Participant
    ) -> None:
        try:
            async for frame in connection:
                if isinstance(frame, str):
                    raise ProtocolViolation(CloseCode.UNSUPPORTED_DATA, "text frames are not used")
                self._handle(room, participant, _parsed(frame))
        except ProtocolViolation as violation:
            _log.info("canvas_socket_protocol_violation", canvas=room.name, reason=violation.reason)
            await connection.close(violation.code, violation.reason)
        except ConnectionClosed:
            return

    def _handle(self, room: CanvasRoom, participant: Participant, message: ClientMessage) -> None:
        if isinstance(message, SyncMessage):
            if message.step is SyncStep.STEP_1:
                try:
                    missing = room.doc.get_update(message.payload)
                except ValueError:
                    raise ProtocolViolation(CloseCode.INVALID_DATA, "bad state vector") from None
                participant.sender.send(sync_step_2(missing))
            elif participant.can_write:
                try:
                    applied = room.apply(message.payload)
                except ValueError:
                    raise ProtocolViolation(CloseCode.INVALID_DATA, "bad Yjs update") from None
                if applied:
                    # Peers get it now; it is stored meanwhile and acknowledged once committed.
                    room.send_update(message.payload, exclude=participant)
                    self._rooms.submit(
                        PendingUpdate(
                            room, message.payload, participant, participant.principal.name
                        ),
                    )
            elif message.payload != EMPTY_UPDATE and not participant.told_read_only:
                # A viewer's document update is refused: not applied, stored or passed on.
                participant.told_read_only = True
                participant.sender.send(permission_denied(READ_ONLY))
        elif isinstance(message, AwarenessMessage):
            try:
                entries = parse_awareness_update(message.update)
            except MalformedMessage as malformed:
                raise ProtocolViolation(CloseCode.INVALID_DATA, str(malformed)) from None
            room.offer_awareness(participant, entries)
        else:
            awareness = room.awareness_now()
            if awareness is not None:
                participant.sender.send(awareness)


def _parsed(frame: bytes) -> ClientMessage:
    try:
        return parse_client_message(frame)
    except UnsupportedMessage as unsupported:
        raise ProtocolViolation(CloseCode.UNSUPPORTED_DATA, str(unsupported)) from None
    except MalformedMessage as malformed:
        raise ProtocolViolation(CloseCode.INVALID_DATA, str(malformed)) from None


def canvas_name_of(path: str) -> str:
    """The canvas a connection's path names: `/spaces/s/canvases/c` (query string ignored)."""
    name = unquote(urlsplit(path).path).strip("/")
    if not name:
        raise ValidationError("connect to /spaces/{space}/canvases/{canvas}")
    return name
