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
from knowledge_kit.database.availability import database_unreachable
from knowledge_kit.errors import (
    DependencyUnavailableError,
    DomainError,
    ValidationError,
    bounded_text,
)
from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import CloseCode

from ..service.live import LiveCanvases
from ..service.participation import Edit, Participation
from .yjs.awareness import parse_awareness_update
from .yjs.frames import FrameSender
from .yjs.lib0 import MalformedMessage
from .yjs.messages import (
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
from .yjs.wire import awareness_now

_log = structlog.get_logger("ms_canvas.socket")
# A close frame's reason is at most 123 bytes (RFC 6455: 125 with the code).
MAX_REASON_BYTES = 123
READ_ONLY = "read-only: viewers of this space may not change its canvases"


class ProtocolViolation(Exception):
    def __init__(self, code: CloseCode, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


class CanvasSocket:
    def __init__(self, live: LiveCanvases, *, max_buffered_bytes: int) -> None:
        self._live = live
        self._max_buffered = max_buffered_bytes

    async def __call__(self, connection: ServerConnection, principal: Principal) -> None:
        sender = FrameSender(connection, max_buffered_bytes=self._max_buffered)
        try:
            name = canvas_name_of(connection.request.path if connection.request else "")
            joined = await self._live.join(principal, name, sender)
        except DependencyUnavailableError as unavailable:
            # Not the caller's fault: 1013 tells a client to reconnect later, as it would.
            _log.warning("canvas_socket_dependency_unavailable", dependency=unavailable.dependency)
            reason = f"{unavailable.dependency} is unavailable; try again later"
            await connection.close(
                CloseCode.TRY_AGAIN_LATER, bounded_text(reason, MAX_REASON_BYTES)
            )
            return
        except DomainError as refused:
            await connection.close(
                CloseCode.POLICY_VIOLATION, bounded_text(refused.message, MAX_REASON_BYTES)
            )
            return
        except Exception as failure:
            if not database_unreachable(failure):
                raise
            _log.warning("canvas_socket_database_unavailable", error=type(failure).__name__)
            await connection.close(
                CloseCode.TRY_AGAIN_LATER, "the canvas store is unavailable; try again later"
            )
            return
        try:
            sender.send(sync_step_1(joined.state_vector()))
            presence = awareness_now(joined.presence())
            if presence is not None:
                sender.send(presence)
            await self._serve(connection, sender, joined)
        finally:
            joined.leave()

    async def _serve(
        self, connection: ServerConnection, sender: FrameSender, joined: Participation
    ) -> None:
        try:
            async for frame in connection:
                if isinstance(frame, str):
                    raise ProtocolViolation(CloseCode.UNSUPPORTED_DATA, "text frames are not used")
                _handle(sender, joined, _parsed(frame))
        except ProtocolViolation as violation:
            _log.info(
                "canvas_socket_protocol_violation", canvas=joined.room.name, reason=violation.reason
            )
            await connection.close(violation.code, violation.reason)
        except ConnectionClosed:
            return


def _handle(sender: FrameSender, joined: Participation, message: ClientMessage) -> None:
    if isinstance(message, SyncMessage):
        if message.step is SyncStep.STEP_1:
            try:
                missing = joined.missing_from(message.payload)
            except ValueError:
                raise ProtocolViolation(CloseCode.INVALID_DATA, "bad state vector") from None
            sender.send(sync_step_2(missing))
            return
        try:
            edit = joined.edit(message.payload)
        except ValueError:
            raise ProtocolViolation(CloseCode.INVALID_DATA, "bad Yjs update") from None
        if edit is Edit.REFUSED:
            sender.send(permission_denied(READ_ONLY))
    elif isinstance(message, AwarenessMessage):
        try:
            entries = parse_awareness_update(message.update)
        except MalformedMessage as malformed:
            raise ProtocolViolation(CloseCode.INVALID_DATA, str(malformed)) from None
        joined.share_presence(entries)
    else:
        presence = awareness_now(joined.presence())
        if presence is not None:
            sender.send(presence)


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
